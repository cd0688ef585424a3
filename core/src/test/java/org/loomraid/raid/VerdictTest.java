package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * The reading of a round: the largest group wins, ties go to the earliest-configured backend,
 * failures don't vote, caller errors vote like answers, and a round nobody answered is overload.
 */
class VerdictTest {

  private final RaidThreads threads = new RaidThreads("t");

  /** Answers per backend index: a value (String), a Throwable to throw. */
  private Verdict<Object> verdict(List<Integer> targetOrder, Object... answers) {
    List<Backend> backends = new ArrayList<>();
    for (int index : targetOrder) {
      Backend backend = new Backend("b" + index, index, () -> null, "t-" + index);
      backend.storage(MemoryStorage.create("b" + index));
      backends.add(backend);
    }
    Round<Object> round = new Round<>(threads, "vote", backends, Duration.ofSeconds(5),
        Round.Kind.QUERY, (storage, slot) -> {
          Object answer = answers[slot.backend().index()];
          if (answer instanceof RuntimeException e) {
            throw e;
          }
          return answer;
        });
    new ThreadFanOut().execute(round);
    return Verdict.of(round, value -> value);
  }

  private static List<String> names(Verdict.Group<Object> group) {
    return group.members().stream().map(slot -> slot.backend().name()).sorted().toList();
  }

  private static ConflictException conflict(long oid, long actual) {
    return new ConflictException(Oid.of(oid), Tid.NONE, Tid.of(actual));
  }

  @Test
  void largestGroupWins() {
    Verdict<Object> tally = verdict(List.of(0, 1, 2), "x", "y", "y");
    assertEquals(List.of("b1", "b2"), names(tally.winner()));
    assertEquals(1, tally.losers().size());
  }

  @Test
  void allDifferentFollowTheEarliestConfiguredBackendWhateverTheTargetOrder() {
    Verdict<Object> tally = verdict(List.of(2, 1, 0), "x", "y", "z");
    assertEquals(List.of("b0"), names(tally.winner()));
    assertEquals(2, tally.losers().size());
  }

  @Test
  void oneToOneFollowsTheEarliestConfiguredBackend() {
    Verdict<Object> tally = verdict(List.of(1, 0), conflict(1, 5), "ok");
    assertTrue(tally.winner().isRefusal());
    assertEquals(List.of("b0"), names(tally.winner()));
  }

  @Test
  void answersAreEqualByClassAndSubject() {
    Verdict<Object> same = verdict(List.of(0, 1, 2), "ok", conflict(1, 5), conflict(1, 6));
    assertEquals(List.of("b1", "b2"), names(same.winner()), "same object, different serials");

    Verdict<Object> different = verdict(List.of(0, 1, 2), conflict(1, 5), conflict(2, 5),
        new ObjectNotFoundException(Oid.of(1)));
    assertEquals(3, different.losers().size() + 1, "three groups");
  }

  @Test
  void failuresDoNotVote() {
    Verdict<Object> tally = verdict(List.of(0, 1, 2), new IllegalStateException("down"),
        new IllegalStateException("down"), "ok");
    assertEquals(List.of("b2"), names(tally.winner()));
    assertEquals(2, tally.blamed().size());
    assertNull(tally.fatal());
  }

  @Test
  void callerErrorsVoteByClassAndLimitAndWinLikeAnswers() {
    Verdict<Object> agreed = verdict(List.of(0, 1, 2),
        new IllegalArgumentException("too big for a"), new IllegalArgumentException("too big for b"),
        new IllegalArgumentException("too big for c"));
    assertTrue(agreed.winner().isRefusal());
    assertEquals(3, agreed.winner().size(), "messages differ between backends, the refusal agrees");
    assertTrue(agreed.losers().isEmpty());
    assertTrue(agreed.blamed().isEmpty(), "a caller error is nobody's failure");

    Verdict<Object> limits = verdict(List.of(0, 1),
        new LimitExceededException("a", "maxRecordSize", 9, 8, "x"),
        new LimitExceededException("b", "maxMetaSize", 9, 8, "x"));
    assertEquals(1, limits.losers().size(), "different limits are different refusals");
  }

  @Test
  void inDoubtAndRaidSideErrorsAreClassifiedApart() {
    Verdict<Object> verdict = verdict(List.of(0, 1, 2),
        new CommitOutcomeUnknownException("lost reply", Tid.of(7), null),
        new Round.RaidSideException(new ArithmeticException("overflow")), "ok");
    assertEquals(List.of("b0"), verdict.blamed().stream().map(s -> s.backend().name()).toList());
    assertEquals(Outcome.IN_DOUBT, verdict.blamed().get(0).outcome());
    assertTrue(verdict.raidError() instanceof ArithmeticException, "unwrapped: " + verdict.raidError());
    assertEquals(List.of("b2"), names(verdict.winner()));
  }

  @Test
  void aRoundThatNoneOfTwoOrMoreAnsweredIsOverloadNotFailure() {
    List<Backend> backends = new ArrayList<>();
    for (int index = 0; index < 2; index++) {
      Backend backend = new Backend("b" + index, index, () -> null, "t-" + index);
      backend.storage(MemoryStorage.create("b" + index));
      backends.add(backend);
    }
    Round<Object> round = new Round<>(threads, "vote", backends, Duration.ofSeconds(5),
        Round.Kind.QUERY, (storage, slot) -> "never called");
    round.abandonUnfinished(true); // given up before any thread was started
    Verdict<Object> verdict = Verdict.of(round, value -> value);
    assertTrue(verdict.overloaded());
    assertEquals(2, verdict.notReached().size());
    assertTrue(verdict.blamed().isEmpty());
    assertNull(verdict.winner());
  }
}
