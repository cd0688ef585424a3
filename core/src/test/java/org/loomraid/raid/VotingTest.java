package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Backends that disagree: the largest agreeing group wins, ties go to the earliest-configured
 * backend; an answer every backend agrees on reaches the caller with nothing degraded.
 */
class VotingTest {

  private static final Oid X = Oid.of(1);

  private static ConflictException conflictOn(Oid oid) {
    return new ConflictException(oid, Tid.NONE, Tid.of(42));
  }

  @Test
  void allBackendsReportingTheConflictGiveTheCallerTheConflictAndDegradeNothing() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Tid first = Fixture.commit(raid, X, Tid.NONE, "v1");

      ConflictException conflict = assertThrows(ConflictException.class,
          () -> Fixture.commit(raid, X, Tid.NONE, "stale write"));

      assertEquals(X, conflict.oid());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      for (int i = 0; i < 3; i++) {
        assertEquals(first, f.memory(i).lastTransaction(), "no backend has the transaction");
      }
      Tid next = Fixture.commit(raid, X, first, "v2");
      assertTrue(next.isAfter(first), "the commit lock was released everywhere");
    }
  }

  @Test
  void majorityWinsAndTheMinorityWithADifferentAnswerIsDegraded() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(2).on(Operation.VOTE).failOnce(() -> conflictOn(X));

      Tid tid = Fixture.commit(raid, X, Tid.NONE, "v1");

      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(tid, f.memory(1).lastTransaction());
      assertEquals(Tid.NONE, f.memory(2).lastTransaction());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertTrue(f.info(2).reason().startsWith("inconsistent result in vote: answered "
          + "ConflictException"), f.info(2).reason());
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }

  @Test
  void majorityAnswerWinsOverAFirstConfiguredBackendThatSucceeded() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.VOTE).failOnce(() -> conflictOn(X));
      f.faulty(2).on(Operation.VOTE).failOnce(() -> conflictOn(X));

      assertThrows(ConflictException.class, () -> Fixture.commit(raid, X, Tid.NONE, "v1"));

      assertEquals(BackendState.DEGRADED, f.info(0).state());
      assertTrue(f.info(0).reason().contains("answered success"), f.info(0).reason());
      assertEquals(BackendState.OPTIMAL, f.info(1).state());
      assertEquals(BackendState.OPTIMAL, f.info(2).state());
      assertEquals(Tid.NONE, f.memory(0).lastTransaction(), "its voted transaction was aborted");
    }
  }

  @Test
  void allThreeDifferentFollowTheFirstConfiguredBackend() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.VOTE).failOnce(() -> conflictOn(X));
      f.faulty(2).on(Operation.VOTE).failOnce(() -> new ObjectNotFoundException(X));

      Tid tid = Fixture.commit(raid, X, Tid.NONE, "v1");

      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(BackendState.OPTIMAL, f.info(0).state());
      assertEquals(BackendState.DEGRADED, f.info(1).state());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertTrue(f.info(2).reason().contains("the vote went to success"), f.info(2).reason());
    }
  }

  @Test
  void allThreeDifferentThrowTheFirstConfiguredBackendsAnswer() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.VOTE).failOnce(() -> conflictOn(X));
      f.faulty(2).on(Operation.VOTE).failOnce(() -> conflictOn(Oid.of(7)));

      ConflictException thrown = assertThrows(ConflictException.class,
          () -> Fixture.commit(raid, X, Tid.NONE, "v1"));

      assertEquals(X, thrown.oid());
      assertEquals(BackendState.OPTIMAL, f.info(0).state());
      assertEquals(BackendState.DEGRADED, f.info(1).state());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertEquals(Tid.NONE, f.memory(1).lastTransaction());
    }
  }

  @Test
  void twoBackendsDisagreeingOneToOneFollowTheFirstConfigured() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.VOTE).failOnce(() -> conflictOn(X));

      Tid tid = Fixture.commit(raid, X, Tid.NONE, "v1");

      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(BackendState.DEGRADED, f.info(1).state());
    }
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.VOTE).failOnce(() -> conflictOn(X));

      assertThrows(ConflictException.class, () -> Fixture.commit(raid, X, Tid.NONE, "v1"));

      assertEquals(BackendState.OPTIMAL, f.info(0).state());
      assertEquals(BackendState.DEGRADED, f.info(1).state());
      assertEquals(Tid.NONE, f.memory(1).lastTransaction(), "the loser's vote was aborted");
    }
  }

  @Test
  void backendCommittingUnderAnotherTidIsDegradedAndTheTransactionStands() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.COMMIT).wrongResult();

      Tid tid = Fixture.commit(raid, X, Tid.NONE, "v1");

      assertEquals(BackendState.DEGRADED, f.info(1).state());
      assertTrue(f.info(1).reason().startsWith("inconsistent result in commit: committed as"),
          f.info(1).reason());
      assertEquals(tid, raid.lastTransaction());
      assertEquals("v1", Fixture.text(raid.load(X).data()));
    }
  }

  @Test
  void backendReportingAWrongLastTransactionIsDegraded() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Tid tid = Fixture.commit(raid, X, Tid.NONE, "v1");
      f.faulty(2).on(Operation.LAST_TRANSACTION).wrongResult();

      assertEquals(tid, raid.lastTransaction());

      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertTrue(f.info(2).reason().startsWith("inconsistent result in lastTransaction"),
          f.info(2).reason());
    }
  }
}
