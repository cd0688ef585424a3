package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * A commit whose outcome the RAID does not know is reported as in doubt, with its tid, never as
 * "not committed"; the commit quorum decides what counts as acknowledged; a commit nobody answered
 * is resolved before the next write.
 */
class InDoubtTest {

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aSingleBackendCommitThatOutlivesTheDeadlineIsInDoubtAndLandsAfterwards(WriteMode mode) {
    try (Fixture f = Fixture.of(1)) {
      f.builder.callTimeout(Fixture.SHORT).writeMode(mode);
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.COMMIT).stall();

      StorageTransaction tx = raid.begin(TransactionMeta.of("t", "slow commit"));
      tx.store(Oid.of(1), Tid.NONE, Fixture.bytes("maybe"));
      tx.vote();
      CommitOutcomeUnknownException doubt =
          assertThrows(CommitOutcomeUnknownException.class, tx::commit);

      assertTrue(doubt.tid().isAfter(Tid.NONE));
      assertTrue(doubt.getMessage().contains("in doubt"), doubt.getMessage());
      f.faulty(0).releaseHangs();
      await().until(() -> doubt.tid().equals(f.memory(0).lastTransaction()));
      assertEquals("maybe", Fixture.text(f.memory(0).loadSerial(Oid.of(1), doubt.tid()).data()),
          "the in-doubt commit did happen: the caller resolves it by its tid");
    }
  }

  @Test
  void aCommitNoBackendOfSeveralAnsweredDegradesNobodyAndIsResolvedBeforeTheNextWrite() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.callTimeout(Fixture.SHORT);
      RaidStorage raid = f.open();
      for (int i = 0; i < 3; i++) {
        f.faulty(i).on(Operation.COMMIT).stall();
      }
      StorageTransaction tx = raid.begin(TransactionMeta.of("t", "every commit slow"));
      tx.store(Oid.of(1), Tid.NONE, Fixture.bytes("late"));
      tx.vote();
      CommitOutcomeUnknownException doubt =
          assertThrows(CommitOutcomeUnknownException.class, tx::commit);

      assertEquals(RaidStatus.OPTIMAL, raid.status(), "overload, not three broken backends");
      for (int i = 0; i < 3; i++) {
        f.faulty(i).on(Operation.COMMIT).clear();
      }
      f.faulty(0).releaseHangs();
      f.faulty(1).releaseHangs();
      f.faulty(2).releaseHangs();

      Tid next = Fixture.commit(raid, Oid.of(1), doubt.tid(), "after");

      assertTrue(next.isAfter(doubt.tid()));
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
      assertEquals("late", Fixture.text(raid.loadSerial(Oid.of(1), doubt.tid()).data()),
          "resolved as committed: every backend holds it");
    }
  }

  @Test
  void aCommitOnlySomeBackendsAnsweredIsAcknowledgedAndTheSlowOnesLeave() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.callTimeout(Fixture.SHORT);
      RaidStorage raid = f.open();
      f.faulty(2).on(Operation.COMMIT).stall();

      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");

      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertTrue(f.info(2).reason().startsWith("no response within 300ms in commit"),
          f.info(2).reason());
      f.faulty(2).releaseHangs();
    }
  }

  @Test
  void aCommitThatFailsCleanlyEverywhereIsNotCommittedNotInDoubt() {
    try (Fixture f = Fixture.of(2)) {
      f.builder.failMode(FailMode.READ_ONLY);
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.COMMIT).failOnce();
      f.faulty(1).on(Operation.COMMIT).failOnce();

      RaidException refused = assertThrows(RaidException.class,
          () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1"));

      assertTrue(refused instanceof RaidReadOnlyException, refused.toString());
      assertEquals(Tid.NONE, f.memory(0).lastTransaction());
      assertEquals(Tid.NONE, f.memory(1).lastTransaction());
    }
  }

  @Test
  void withAMajorityQuorumACommitOnTooFewBackendsIsInDoubtAndWithOneItIsAcknowledged() {
    for (CommitQuorum quorum : CommitQuorum.values()) {
      try (Fixture f = Fixture.of(3)) {
        f.builder.commitQuorum(quorum).failMode(FailMode.READ_ONLY);
        RaidStorage raid = f.open();
        f.faulty(1).on(Operation.COMMIT).failOnce();
        f.faulty(2).on(Operation.COMMIT).failOnce();

        StorageTransaction tx = raid.begin(TransactionMeta.of("t", quorum.name()));
        tx.store(Oid.of(1), Tid.NONE, Fixture.bytes("on a only"));
        tx.vote();
        if (quorum == CommitQuorum.ONE) {
          Tid tid = tx.commit();
          assertEquals(tid, f.memory(0).lastTransaction());
        } else {
          CommitOutcomeUnknownException doubt =
              assertThrows(CommitOutcomeUnknownException.class, tx::commit);
          assertTrue(doubt.getMessage().contains("1 of 3"), doubt.getMessage());
          assertEquals(doubt.tid(), f.memory(0).lastTransaction(), "it stands on a");
        }
        assertEquals(f.memory(0).lastTransaction(), raid.lastTransaction(),
            "the RAID's last tid follows what a backend applied");
      }
    }
  }

  @Test
  void withAMajorityQuorumACommitOnAMajorityIsAcknowledged() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.commitQuorum(CommitQuorum.MAJORITY);
      RaidStorage raid = f.open();
      f.faulty(2).on(Operation.COMMIT).failOnce();

      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "on a and b");

      assertEquals(tid, f.memory(1).lastTransaction());
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }

  @Test
  void withAMajorityQuorumAVoteThatReachesTooFewIsRefusedBeforeAnythingCommits() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.commitQuorum(CommitQuorum.MAJORITY);
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      f.faulty(2).on(Operation.VOTE).failOnce();

      RaidException refused = assertThrows(RaidException.class,
          () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1"));

      assertTrue(refused.getMessage().contains("CommitQuorum.MAJORITY"), refused.getMessage());
      assertEquals(Tid.NONE, f.memory(0).lastTransaction(), "nothing was committed");
      assertThrows(RaidException.class, () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1"),
          "refused up front now that only one backend is left");
    }
  }
}
