package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Recovery under the conditions that used to break it: a rate limit and writers, a close during a
 * slow open, a cancel while the final step waits for the lock, a slow last source, a failover, a
 * RAID with no optimal backend left, a restore that half applied.
 */
class RecoveryRobustnessTest {

  @Test
  void theRateLimitNeverSleepsUnderTheCommitLockAndWritersNeverTimeOut() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.recoveryRateLimit(16 * 1024).commitLockTimeout(Duration.ofMillis(500));
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      byte[] kilobyte = new byte[1024];
      for (int i = 0; i < 40; i++) {
        Fixture.commit(raid, Oid.of(1000 + i), Tid.NONE, new String(kilobyte));
      }
      Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
      ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("paced-writer").daemon(true).factory());
      int[] next = {0};
      writer.scheduleAtFixedRate(() -> {
        try {
          Fixture.commit(raid, Oid.of(5000 + next[0]++), Tid.NONE, new String(kilobyte));
        } catch (Throwable t) {
          failures.add(t);
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
      try {
        RecoveryHandle handle = raid.admin().recover("b");
        RecoveryProgress progress = RecoveryTest.awaitEnd(handle);
        assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      } finally {
        writer.shutdownNow();
        assertTrue(writer.awaitTermination(10, TimeUnit.SECONDS));
      }
      assertEquals(List.of(), List.copyOf(failures), "a writer was held by the recovery");
      assertTrue(next[0] > 5, "the writer committed during the recovery: " + next[0]);
    }
  }

  @Test
  void closeDuringASlowRecoveryOpenClosesTheInstanceTheOpenDeliversLater() throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    CountDownLatch slowOpen = new CountDownLatch(1);
    boolean[] first = {true};
    List<InstanceView> opened = new CopyOnWriteArrayList<>();
    RaidStorage raid = RaidStorage.builder("slow-open").callTimeout(Duration.ofMillis(200))
        .backend("a", () -> new SurvivingStorage(a))
        .backend("b", () -> {
          if (!first[0]) {
            awaitIgnoringInterrupts(slowOpen); // an opener that finishes late, whatever happens
          }
          first[0] = false;
          InstanceView instance = new InstanceView(new SurvivingStorage(b));
          opened.add(instance);
          return instance;
        }).open();
    raid.admin().disable("b");
    RecoveryHandle handle = raid.admin().recover("b");
    await().until(() -> handle.progress().phase() == RecoveryPhase.OPENING);

    raid.close();
    slowOpen.countDown();

    assertTrue(handle.await(Duration.ofSeconds(20)));
    await().until(() -> opened.size() == 2);
    await().until(() -> opened.get(1).isClosed());
    assertEquals(RecoveryPhase.CANCELLED, handle.progress().phase(), handle.progress().toString());
  }

  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aCancelWhileTheFinalStepWaitsForTheCommitLockIsHonoured() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.commitLockTimeout(Duration.ofSeconds(20));
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      RecoveryTest.commitMany(raid, 5, 1);
      StorageTransaction holder = raid.begin(TransactionMeta.of("t", "holds the lock"));
      holder.store(Oid.of(100), Tid.NONE, Fixture.bytes("held"));
      holder.vote();

      RecoveryHandle handle = raid.admin().recover("b");
      await().until(() -> handle.progress().phase() == RecoveryPhase.PROMOTING);
      handle.cancel();

      RecoveryProgress progress = RecoveryTest.awaitEnd(handle);
      assertEquals(RecoveryPhase.CANCELLED, progress.phase(), progress.toString());
      assertEquals(BackendState.DEGRADED, f.info(1).state());
      assertEquals("recovery cancelled", f.info(1).reason());
      holder.commit();
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }

  @Test
  void aSlowLastSourceFailsTheRecoveryButStaysInService() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.callTimeout(Fixture.SHORT);
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      RecoveryTest.commitMany(raid, 20, 1);
      f.faulty(0).on(Operation.ITERATE).delay(Fixture.SHORT.multipliedBy(3));

      RecoveryProgress progress = RecoveryTest.awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, progress.phase(), progress.toString());
      assertTrue(progress.failure().contains("source"), progress.failure());
      assertEquals(BackendState.OPTIMAL, f.info(0).state(), "recovery never degrades its source");
      assertEquals(RaidStatus.DEGRADED, raid.status());
      f.faulty(0).on(Operation.ITERATE).clear();
      Fixture.commit(raid, Oid.of(500), Tid.NONE, "still writable");
    }
  }

  @Test
  void progressCountsWhatWasCopiedAcrossASourceFailover() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      raid.admin().disable("c");
      RecoveryTest.commitMany(raid, 300, 1);
      f.faulty(0).on(Operation.ITERATE).failAfter(200);

      RecoveryProgress progress = RecoveryTest.awaitEnd(raid.admin().recover("c"));

      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertEquals(300, progress.transactionsCopied(), progress.toString());
      assertEquals(300, progress.transactionsTotal(), progress.toString());
      assertEquals(300, f.memory(2).stats().transactions());
    }
  }

  @Test
  void aBackendHoldingEverythingAcknowledgedBringsAFailedRaidBackWithoutARestart()
      throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.failMode(FailMode.READ_ONLY);
      RaidStorage raid = f.open();
      RecoveryTest.commitMany(raid, 10, 1);
      f.faulty(0).on(Operation.LAST_TRANSACTION).failOnce();
      f.faulty(1).on(Operation.LAST_TRANSACTION).failOnce();
      try {
        raid.lastTransaction();
      } catch (RaidException expected) {
        // both failed: the RAID has no optimal backend left
      }
      assertEquals(RaidStatus.FAILED, raid.status());

      RecoveryProgress back = RecoveryTest.awaitEnd(raid.admin().recover("a"));

      assertEquals(RecoveryPhase.DONE, back.phase(), back.toString());
      assertNotEquals(RaidStatus.FAILED, raid.status());
      Fixture.commit(raid, Oid.of(100), Tid.NONE, "writes resume");
      RecoveryProgress other = RecoveryTest.awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, other.phase(), other.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void aBackendHoldingAnInDoubtCommitBeyondTheRaidBringsItBackAndTheRaidAdoptsIt()
      throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.failMode(FailMode.READ_ONLY).callTimeout(Fixture.SHORT);
      RaidStorage raid = f.open();
      Tid acknowledged = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      f.faulty(0).on(Operation.COMMIT).stall();
      f.faulty(1).on(Operation.COMMIT).failOnce();
      StorageTransaction tx = raid.begin(TransactionMeta.of("t", "in doubt"));
      tx.store(Oid.of(1), acknowledged, Fixture.bytes("v2"));
      tx.vote();
      Tid doubtful = assertThrows(CommitOutcomeUnknownException.class, tx::commit).tid();
      assertEquals(RaidStatus.FAILED, raid.status());
      f.faulty(0).on(Operation.COMMIT).clear();
      f.faulty(0).releaseHangs();
      await().until(() -> doubtful.equals(f.memory(0).lastTransaction()));

      RecoveryProgress back = RecoveryTest.awaitEnd(raid.admin().recover("a"));

      assertEquals(RecoveryPhase.DONE, back.phase(), back.toString());
      assertEquals(doubtful, raid.lastTransaction(), "the RAID adopts what a holds");
      assertEquals("v2", Fixture.text(raid.load(Oid.of(1)).data()));
      RecoveryProgress other = RecoveryTest.awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, other.phase(), other.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void aBackendMissingAcknowledgedTransactionsIsNotBroughtBackWithoutASource() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.failMode(FailMode.READ_ONLY);
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      RecoveryTest.commitMany(raid, 5, 1);
      f.faulty(0).on(Operation.LAST_TRANSACTION).failOnce();
      try {
        raid.lastTransaction();
      } catch (RaidException expected) {
        // a failed: nothing is optimal
      }
      assertEquals(RaidStatus.FAILED, raid.status());

      RecoveryProgress refused = RecoveryTest.awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, refused.phase());
      assertTrue(refused.failure().contains("lacks acknowledged transactions"), refused.failure());
      assertEquals(RaidStatus.FAILED, raid.status());
    }
  }

  @Test
  void aRestoreThatOnlySomeBackendsAppliedAdvancesTheRaidAndRecoveriesPromote()
      throws Exception {
    try (Fixture f = Fixture.of(3)) {
      f.builder.redundancy(Redundancy.MAJORITY).failMode(FailMode.READ_ONLY);
      RaidStorage raid = f.open();
      Tid t1 = Fixture.commit(raid, Oid.of(1), Tid.NONE, "t1");
      raid.admin().disable("c");
      f.faulty(1).on(Operation.RESTORE).failOnce();
      TransactionRecord t2 = new TransactionRecord(Tid.of(t1.value() + 10),
          TransactionMeta.of("t", "t2"), List.of(new DataRecord(Oid.of(2), Fixture.bytes("t2"))));

      raid.restore(t2);

      assertEquals(RaidStatus.FAILED, raid.status(), "b left, below the majority");
      assertEquals(t2.tid(), f.memory(0).lastTransaction(), "a applied it");
      assertEquals(t2.tid(), raid.lastTransaction(), "and the RAID knows");
      RecoveryProgress c = RecoveryTest.awaitEnd(raid.admin().recover("c"));
      assertEquals(RecoveryPhase.DONE, c.phase(), c.toString());
      RecoveryProgress b = RecoveryTest.awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, b.phase(), b.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }
}
