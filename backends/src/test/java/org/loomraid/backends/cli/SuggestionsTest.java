package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  private static final List<String> ACTIONS =
      List.of("status", "details", "disable", "recover", "add", "remove");
  private static final List<String> OPTIONS = List.of("--host", "--port", "--secret-file",
      "--tls-truststore", "--tls-password-file", "--timeout", "-h", "--help");

  @Test
  void distanceCountsATranspositionAsOneEdit() {
    assertEquals(0, Suggestions.distance("status", "status"));
    assertEquals(1, Suggestions.distance("stauts", "status"));
    assertEquals(1, Suggestions.distance("recovr", "recover"));
    assertEquals(2, Suggestions.distance("dsiabel", "disable"));
    assertEquals(6, Suggestions.distance("", "status"));
  }

  @Test
  void closeNamesAreSuggestedClosestFirst() {
    assertEquals(List.of("status"), Suggestions.closest("stauts", ACTIONS));
    assertEquals(List.of("remove"), Suggestions.closest("remvoe", ACTIONS));
    assertEquals(List.of("--port"), Suggestions.closest("--prot", OPTIONS));
    assertEquals(List.of("--timeout"), Suggestions.closest("--timout", OPTIONS));
    assertEquals(List.of("--host"), Suggestions.closest("--hest", OPTIONS));
    assertEquals(List.of("start", "state"), Suggestions.closest("stat", List.of("state", "start")),
        "ties in alphabetical order");
  }

  @Test
  void aWordTheNameBeginsSuggestsTheName() {
    assertEquals(List.of("--secret-file"), Suggestions.closest("--secret", OPTIONS));
    assertEquals(List.of("--tls-truststore", "--tls-password-file"),
        Suggestions.closest("--tls", OPTIONS), "the shortest first");
  }

  @Test
  void onlyTheNearestNamesAreSuggested() {
    assertEquals(List.of("--no-wait"), Suggestions.closest("--nowait", List.of("--no-wait",
        "--wait")));
  }

  @Test
  void nothingIsSuggestedForAWordLikeNoName() {
    assertEquals(List.of(), Suggestions.closest("explode", ACTIONS));
    assertEquals(List.of(), Suggestions.closest("--colour", OPTIONS));
    assertEquals(List.of(), Suggestions.closest("--po", OPTIONS), "too short to be a prefix");
  }
}
