package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/** The vote: largest group wins, ties to the earliest-configured backend, failures don't vote. */
class TallyTest {

  private final RaidThreads threads = new RaidThreads("t");

  /** Answers per backend index: a value (String), a Throwable to throw. */
  private Tally<Object> tally(List<Integer> targetOrder, Object... answers) {
    List<Backend> backends = new ArrayList<>();
    for (int index : targetOrder) {
      Backend backend = new Backend("b" + index, index, () -> null, "t-" + index);
      backend.storage(MemoryStorage.create("b" + index));
      backends.add(backend);
    }
    Round<Object> round = new Round<>(threads, "vote", backends, Duration.ofSeconds(5),
        (storage, slot) -> {
          Object answer = answers[slot.backend().index()];
          if (answer instanceof RuntimeException e) {
            throw e;
          }
          return answer;
        });
    new ThreadFanOut().execute(round);
    return Tally.of(round, value -> value);
  }

  private static List<String> names(Tally.Group<Object> group) {
    return group.members().stream().map(slot -> slot.backend().name()).sorted().toList();
  }

  private static ConflictException conflict(long oid, long actual) {
    return new ConflictException(Oid.of(oid), Tid.NONE, Tid.of(actual));
  }

  @Test
  void largestGroupWins() {
    Tally<Object> tally = tally(List.of(0, 1, 2), "x", "y", "y");
    assertEquals(List.of("b1", "b2"), names(tally.winner()));
    assertEquals(1, tally.losers().size());
  }

  @Test
  void allDifferentFollowTheEarliestConfiguredBackendWhateverTheTargetOrder() {
    Tally<Object> tally = tally(List.of(2, 1, 0), "x", "y", "z");
    assertEquals(List.of("b0"), names(tally.winner()));
    assertEquals(2, tally.losers().size());
  }

  @Test
  void oneToOneFollowsTheEarliestConfiguredBackend() {
    Tally<Object> tally = tally(List.of(1, 0), conflict(1, 5), "ok");
    assertTrue(tally.winner().isAnswer());
    assertEquals(List.of("b0"), names(tally.winner()));
  }

  @Test
  void answersAreEqualByClassAndSubject() {
    Tally<Object> same = tally(List.of(0, 1, 2), "ok", conflict(1, 5), conflict(1, 6));
    assertEquals(List.of("b1", "b2"), names(same.winner()), "same object, different serials");

    Tally<Object> different = tally(List.of(0, 1, 2), conflict(1, 5), conflict(2, 5),
        new ObjectNotFoundException(Oid.of(1)));
    assertEquals(3, different.losers().size() + 1, "three groups");
  }

  @Test
  void failuresDoNotVote() {
    Tally<Object> tally = tally(List.of(0, 1, 2), new IllegalStateException("down"),
        new IllegalStateException("down"), "ok");
    assertEquals(List.of("b2"), names(tally.winner()));
    assertEquals(2, tally.failures().size());
    assertNull(tally.fatal());
  }
}
