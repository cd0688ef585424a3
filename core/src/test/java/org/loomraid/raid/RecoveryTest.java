package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/** Online recovery over memory backends: verify, copy, catch up, promote; failures and retries. */
class RecoveryTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** Commits {@code count} transactions of two objects each, with some metadata. */
  static List<Tid> commitMany(Storage storage, int count, long firstOid) {
    List<Tid> tids = new ArrayList<>();
    Tid serial = Tid.NONE;
    for (int i = 0; i < count; i++) {
      try (StorageTransaction tx = storage.begin(
          new TransactionMeta("u" + i, "tx " + i, Map.of("i", "" + i)))) {
        tx.store(Oid.of(firstOid), serial, Fixture.bytes("first " + i));
        tx.store(Oid.of(firstOid + 1), serial, Fixture.bytes("second " + i));
        tx.vote();
        serial = tx.commit();
        tids.add(serial);
      }
    }
    return tids;
  }

  /** The full history of a storage: tid, meta and data of every transaction. */
  static List<TransactionRecord> history(Storage storage) {
    List<TransactionRecord> records = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      it.forEachRemaining(records::add);
    }
    return records;
  }

  static RecoveryProgress awaitEnd(RecoveryHandle handle) throws InterruptedException {
    assertTrue(handle.await(PATIENCE), "recovery did not end: " + handle.progress());
    return handle.progress();
  }

  @Test
  void emptyNewBackendIsRecoveredWhileWritersCommitAndEndsIdentical() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      AtomicLong promotedAt = new AtomicLong();
      f.builder.listener(t -> {
        if (t.to() == BackendState.OPTIMAL && t.name().equals("c")) {
          promotedAt.set(System.nanoTime());
        }
      });
      RaidStorage raid = f.open();
      commitMany(raid, 1500, 1_000_000);
      MemoryStorage fresh = MemoryStorage.create("c");
      FaultyStorage freshView = FaultyStorage.wrap(new SurvivingStorage(fresh));
      raid.admin().add("c", () -> freshView);
      assertEquals(BackendState.DEGRADED, raid.backends().get(2).state());
      assertEquals("added", raid.backends().get(2).reason());

      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong longestCommitNanos = new AtomicLong();
      AtomicLong commits = new AtomicLong();
      Queue<long[]> commitTimes = new ConcurrentLinkedQueue<>();
      List<Future<?>> writers = new ArrayList<>();
      RecoveryProgress progress;
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < 4; w++) {
          long oid = 10L * (w + 1);
          writers.add(pool.submit(() -> {
            Tid serial = Tid.NONE;
            int i = 0;
            while (writing.get() || i < 20) {
              long start = System.nanoTime();
              serial = Fixture.commit(raid, Oid.of(oid), serial, "w" + oid + "-" + i++);
              long end = System.nanoTime();
              longestCommitNanos.accumulateAndGet(end - start, Math::max);
              commitTimes.add(new long[] {start, end});
              commits.incrementAndGet();
            }
            return null;
          }));
        }
        await().until(() -> commits.get() > 50);
        RecoveryHandle handle = raid.admin().recover("c");
        assertEquals(RaidStatus.RECOVERING, raid.status());
        progress = awaitEnd(handle);
        await().until(() -> commits.get() > 200);
        writing.set(false);
        for (Future<?> writer : writers) {
          writer.get();
        }
      }

      long promoted = promotedAt.get();
      long stallNanos = 0;
      for (long[] commit : commitTimes) {
        if (commit[0] <= promoted && promoted <= commit[1]) {
          stallNanos = Math.max(stallNanos, commit[1] - commit[0]);
        }
      }
      System.out.printf("recovery while 4 writers commit: %s; %d commits; longest writer stall "
          + "during promotion %.2f ms (longest commit overall %.2f ms)%n", progress,
          commits.get(), stallNanos / 1e6, longestCommitNanos.get() / 1e6);
      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertEquals(history(f.memory(0)), history(f.memory(1)));
      assertEquals(history(f.memory(0)), history(fresh), "the recovered backend is identical");
      assertTrue(progress.transactionsCopied() >= 1501, progress.toString());
      assertTrue(progress.bytesCopied() > 0 && progress.bytesPerSecond() > 0);
      Oid next = raid.newOid();
      assertEquals(RaidStatus.OPTIMAL, raid.status(), "OID counters in step after " + next);
    }
  }

  @Test
  void backendThatMissedKTransactionsReceivesExactlyThoseK() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      commitMany(raid, 30, 100);
      raid.admin().disable("b");
      List<Tid> missed = commitMany(raid, 17, 200);
      long restoresBefore = f.faulty(1).calls(Operation.RESTORE);
      assertEquals(17, raid.backends().get(1).lag());

      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertEquals(17, f.faulty(1).calls(Operation.RESTORE) - restoresBefore);
      assertEquals(17, progress.transactionsCopied());
      assertEquals(17, progress.transactionsTotal());
      assertEquals(history(f.memory(0)), history(f.memory(1)));
      assertEquals(missed.get(16), f.memory(1).lastTransaction());
      BackendInfo b = raid.backends().get(1);
      assertEquals(BackendState.OPTIMAL, b.state());
      assertEquals(0, b.lag());
      assertEquals(RecoveryPhase.DONE, b.recovery().orElseThrow().phase());
    }
  }

  @Test
  void divergingTargetIsRefusedNamingTheFirstDifferingTid() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      commitMany(raid, 5, 100);
      raid.admin().disable("b");
      Tid raidTid = Fixture.commit(raid, Oid.of(500), Tid.NONE, "raid");
      // Behind the RAID's back, b commits different data under the very same tid.
      try (StorageTransaction tx = f.memory(1).begin(TransactionMeta.of("test", "raid"),
          raidTid)) {
        tx.store(Oid.of(500), Tid.NONE, Fixture.bytes("something else"));
        tx.vote();
        tx.commit();
      }

      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, progress.phase());
      BackendInfo b = raid.backends().get(1);
      assertEquals(BackendState.DEGRADED, b.state());
      assertTrue(b.reason().contains("refused"), b.reason());
      assertTrue(b.reason().contains(raidTid.toString()), b.reason());
      assertTrue(b.reason().contains("differs"), b.reason());
      assertEquals(0, f.faulty(1).calls(Operation.RESTORE), "nothing was copied");
    }
  }

  @Test
  void targetAheadOfTheSourceIsRefusedNamingItsExtraTid() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      commitMany(raid, 5, 100);
      raid.admin().disable("b");
      Tid extra = Fixture.commit(f.memory(1), Oid.of(900), Tid.NONE, "only on b");

      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, progress.phase());
      String reason = raid.backends().get(1).reason();
      assertTrue(reason.contains("ahead"), reason);
      assertTrue(reason.contains(extra.toString()), reason);
    }
  }

  @Test
  void targetFailingMidwayIsDegradedAndARetryContinuesFromWhatWasCopied() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      commitMany(raid, 40, 100);
      f.faulty(1).on(Operation.RESTORE).failAfter(15);

      RecoveryProgress failed = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, failed.phase());
      BackendInfo b = raid.backends().get(1);
      assertEquals(BackendState.DEGRADED, b.state());
      assertTrue(b.reason().startsWith("recovery failed in copying"), b.reason());
      assertTrue(b.reason().contains("InjectedFaultException"), b.reason());
      assertEquals(15, f.memory(1).stats().transactions(), "the copied prefix is kept");

      f.faulty(1).on(Operation.RESTORE).clear();
      long restoresBefore = f.faulty(1).calls(Operation.RESTORE);
      RecoveryProgress retried = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.DONE, retried.phase(), retried.toString());
      assertEquals(25, f.faulty(1).calls(Operation.RESTORE) - restoresBefore);
      assertEquals(history(f.memory(0)), history(f.memory(1)));
    }
  }

  @Test
  void sourceAnsweringMidwayFailsTheRecoveryAndARetryCompletes() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      commitMany(raid, 40, 100);
      f.faulty(0).on(Operation.ITERATE).failAfter(20,
          () -> new StorageException("source refused to go on"));

      RecoveryProgress failed = awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.FAILED, failed.phase());
      assertTrue(raid.backends().get(1).reason().contains("source refused to go on"),
          raid.backends().get(1).reason());
      assertEquals(BackendState.OPTIMAL, raid.backends().get(0).state(),
          "an answer is not a failure of the source");

      f.faulty(0).on(Operation.ITERATE).clear();
      RecoveryProgress retried = awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, retried.phase(), retried.toString());
      assertEquals(history(f.memory(0)), history(f.memory(1)));
    }
  }

  @Test
  void failingSourceIsLeftToItsClientsAndAnotherOptimalSourceTakesOver() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      raid.admin().disable("c");
      commitMany(raid, 60, 100);
      f.faulty(0).on(Operation.ITERATE).failAfter(30);

      RecoveryProgress progress = awaitEnd(raid.admin().recover("c"));

      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertTrue(f.faulty(0).calls(Operation.ITERATE) > 30, "the source's failure was injected");
      assertEquals(BackendState.OPTIMAL, raid.backends().get(0).state(),
          "a recovery never takes its source out of service: that is for the source's own calls");
      assertEquals(BackendState.OPTIMAL, raid.backends().get(2).state());
      assertEquals(60, progress.transactionsCopied(), "counted across the failover");
      assertEquals(history(f.memory(1)), history(f.memory(2)));
    }
  }

  @Test
  void cancelledRecoveryLeavesTheBackendDegradedAndARetryContinues() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      commitMany(raid, 200, 100);
      f.faulty(1).on(Operation.RESTORE).delay(Duration.ofMillis(5));

      RecoveryHandle handle = raid.admin().recover("b");
      await().until(() -> f.faulty(1).calls(Operation.RESTORE) >= 3);
      handle.cancel();
      RecoveryProgress cancelled = awaitEnd(handle);

      assertEquals(RecoveryPhase.CANCELLED, cancelled.phase());
      assertEquals("recovery cancelled", raid.backends().get(1).reason());
      assertEquals(BackendState.DEGRADED, raid.backends().get(1).state());
      long copied = f.memory(1).stats().transactions();
      assertTrue(copied > 0 && copied < 200, "copied " + copied);

      f.faulty(1).on(Operation.RESTORE).clear();
      RecoveryProgress retried = awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, retried.phase());
      assertEquals(200 - copied, retried.transactionsCopied());
      assertEquals(history(f.memory(0)), history(f.memory(1)));
    }
  }

  @Test
  void rateLimitSlowsTheCopyDown() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      long limit = 100_000;
      f.builder.recoveryRateLimit(limit);
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      byte[] kilobyte = new byte[1000];
      for (int i = 0; i < 60; i++) {
        try (StorageTransaction tx = raid.begin(TransactionMeta.EMPTY)) {
          tx.store(Oid.of(1000 + i), Tid.NONE, kilobyte);
          tx.vote();
          tx.commit();
        }
      }

      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));

      double seconds = progress.elapsed().toNanos() / 1e9;
      System.out.printf("rate limit %d B/s: copied %d bytes in %.2f s (%.0f B/s)%n", limit,
          progress.bytesCopied(), seconds, progress.bytesPerSecond());
      assertEquals(RecoveryPhase.DONE, progress.phase());
      assertEquals(60_000, progress.bytesCopied());
      assertTrue(seconds >= 0.3, "60 kB at 100 kB/s cannot take " + seconds + " s");
    }
  }

  @Test
  void packAndRecoveryNeverOverlap() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      Tid last = commitMany(raid, 20, 100).get(19);
      raid.admin().disable("b");
      commitMany(raid, 20, 200);
      f.faulty(1).on(Operation.RESTORE).delay(Duration.ofMillis(20));

      RecoveryHandle handle = raid.admin().recover("b");
      await().until(() -> f.faulty(1).calls(Operation.RESTORE) >= 1);
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> raid.pack(last));
      assertTrue(refused.getMessage().contains("pack refused while a backend is being recovered"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("'b'"), refused.getMessage());
      assertEquals(0, f.faulty(0).calls(Operation.PACK), "nothing was packed");
      f.faulty(1).on(Operation.RESTORE).clear();

      assertEquals(RecoveryPhase.DONE, awaitEnd(handle).phase());
      raid.pack(last);
      assertEquals(1, f.faulty(0).calls(Operation.PACK));
    }
  }

  @Test
  void recoveryStartedDuringAPackWaitsForIt() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      Tid last = commitMany(raid, 10, 100).get(9);
      raid.admin().disable("b");
      commitMany(raid, 10, 200);
      f.faulty(0).on(Operation.PACK).delay(Duration.ofMillis(300));
      AtomicLong packEnded = new AtomicLong();
      Thread packer = Thread.ofVirtual().start(() -> {
        raid.pack(last);
        packEnded.set(System.nanoTime());
      });
      await().until(() -> f.faulty(0).calls(Operation.PACK) == 1);

      RecoveryHandle handle = raid.admin().recover("b");
      assertEquals(RecoveryPhase.OPENING, handle.progress().phase());
      RecoveryProgress progress = awaitEnd(handle);
      packer.join();

      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertTrue(packEnded.get() > 0);
      // b was out of service during the pack; the recovery packed it to the RAID's pack horizon
      // before promoting it, so the two histories are identical, packed records and all.
      List<TransactionRecord> source = history(f.memory(0));
      assertTrue(source.get(0).records().isEmpty(), "the source was packed");
      assertEquals(source, history(f.memory(1)));
    }
  }

  @Test
  void promotionAlignsATargetOidCounterThatIsBehind() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      for (int i = 0; i < 50; i++) {
        raid.newOid();
      }
      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, progress.phase());

      raid.newOid();

      assertEquals(RaidStatus.OPTIMAL, raid.status(), "b's counter was advanced, not ahead");
    }
  }

  @Test
  void recoveryAfterAReopenOfTheRaidCatchesUpTheLaggard() throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    RaidStorage.Builder builder = RaidStorage.builder("reopened")
        .backend("a", () -> new SurvivingStorage(a))
        .backend("b", () -> new SurvivingStorage(b));
    try (RaidStorage raid = builder.open()) {
      commitMany(raid, 10, 100);
      raid.admin().disable("b");
      commitMany(raid, 10, 200);
    }
    try (RaidStorage raid = builder.open()) {
      assertTrue(raid.backends().get(1).reason().startsWith("missing transactions"));
      assertEquals(10, raid.backends().get(1).lag());
      RecoveryProgress progress = awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, progress.phase());
      assertEquals(10, progress.transactionsCopied());
      assertEquals(history(a), history(b));
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void autoRecoveryBringsLaggardsUpToDateAtStartupAndAfterAdd() throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    commitMany(a, 25, 100);
    try (RaidStorage raid = RaidStorage.builder("auto").autoRecover(true)
        .backend("a", () -> new SurvivingStorage(a))
        .backend("b", () -> new SurvivingStorage(b))
        .open()) {
      await().atMost(PATIENCE).until(() -> raid.status() == RaidStatus.OPTIMAL);
      assertEquals(history(a), history(b));

      MemoryStorage c = MemoryStorage.create("c");
      raid.admin().add("c", () -> new SurvivingStorage(c));
      await().atMost(PATIENCE).until(() -> raid.status() == RaidStatus.OPTIMAL);
      assertEquals(3, raid.backends().size());
      assertEquals(history(a), history(c));
    }
  }

  @Test
  void autoRecoveryOpensAMajorityRaidWhoseLaggardsBreakTheMajorityAndRestoresWrites()
      throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    commitMany(a, 10, 100);
    try (RaidStorage raid = RaidStorage.builder("majority").autoRecover(true)
        .redundancy(Redundancy.MAJORITY)
        .backend("a", () -> new SurvivingStorage(a))
        .backend("b", () -> MemoryStorage.create("b"))
        .backend("c", () -> MemoryStorage.create("c"))
        .open()) {
      await().atMost(PATIENCE).until(() -> raid.status() == RaidStatus.OPTIMAL);
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "writes resumed");
      assertEquals(tid, raid.lastTransaction());
    }
  }
}
