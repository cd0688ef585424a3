package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Scrub: compares every optimal backend's history, names and takes out of service the backend that
 * diverged from the majority, repairs it on request, reports a tie and changes nothing; runs beside
 * writers without failing one; resumes after a cancel; yields to a pack and refuses to overlap one.
 */
class ScrubTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** The first tid of the histories built here (long before anything the RAID commits). */
  private static final Tid BASE = Tid.of(Instant.parse("2026-01-01T00:00:00Z"));

  /** The transaction the corruptions are put in. */
  private static final int BAD = 20;

  /** An object no transaction of the histories writes. */
  private static final Oid STRAY = Oid.of(999_999);

  static ScrubProgress awaitEnd(ScrubHandle handle) throws InterruptedException {
    assertTrue(handle.await(PATIENCE), "scrub did not end: " + handle.progress());
    return handle.progress();
  }

  /** A history of {@code count} transactions, each writing two new objects of 100 bytes. */
  static List<TransactionRecord> history(int count) {
    List<TransactionRecord> history = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      history.add(new TransactionRecord(Tid.of(BASE.value() + 1000L * i),
          new TransactionMeta("u" + i, "tx " + i, Map.of("i", "" + i)),
          List.of(new DataRecord(Oid.of(100 + 2 * i), payload(i, 'x')),
              new DataRecord(Oid.of(101 + 2 * i), payload(i, 'y')))));
    }
    return history;
  }

  private static byte[] payload(int i, char fill) {
    byte[] data = new byte[100];
    Arrays.fill(data, (byte) fill);
    data[0] = (byte) i;
    return data;
  }

  /** Stores {@code history} in every backend's memory. */
  static void store(Fixture f, List<TransactionRecord> history) {
    for (int b = 0; b < f.memory.size(); b++) {
      for (TransactionRecord record : history) {
        f.memory(b).restore(record);
      }
    }
  }

  /** Stores {@code history} in every backend's memory, in backend {@code altered}'s as altered. */
  static void store(Fixture f, List<TransactionRecord> history, int altered, Corruption how) {
    for (int b = 0; b < f.memory.size(); b++) {
      List<TransactionRecord> own = b == altered ? how.apply(history) : history;
      for (TransactionRecord record : own) {
        f.memory(b).restore(record);
      }
    }
  }

  /** Commits {@code count} transactions of 200 bytes through the RAID. */
  static List<Tid> commitBulk(Storage raid, int count) {
    List<Tid> tids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (StorageTransaction tx = raid.begin(TransactionMeta.of("bulk", "tx " + i))) {
        tx.store(Oid.of(10_000 + i), Tid.NONE, payload(i, 'b'));
        tx.store(Oid.of(20_000 + i), Tid.NONE, payload(i, 'c'));
        tx.vote();
        tids.add(tx.commit());
      }
    }
    return tids;
  }

  /** Ways a backend's stored history can differ from the others' at transaction {@link #BAD}. */
  enum Corruption {
    DATA_ALTERED("the data of " + Oid.of(100 + 2 * BAD) + " differs", true) {
      @Override
      TransactionRecord alter(TransactionRecord r) {
        byte[] rotten = r.records().get(0).data();
        rotten[50] ^= 1;
        return new TransactionRecord(r.tid(), r.meta(),
            List.of(new DataRecord(r.records().get(0).oid(), rotten), r.records().get(1)));
      }
    },
    RECORD_ADDED("it holds a record of " + STRAY + " that the majority does not", true) {
      @Override
      TransactionRecord alter(TransactionRecord r) {
        List<DataRecord> records = new ArrayList<>(r.records());
        records.add(new DataRecord(STRAY, payload(0, 's')));
        return new TransactionRecord(r.tid(), r.meta(), records);
      }
    },
    RECORD_MISSING("it lacks the record of " + Oid.of(101 + 2 * BAD), true) {
      @Override
      TransactionRecord alter(TransactionRecord r) {
        return new TransactionRecord(r.tid(), r.meta(), List.of(r.records().get(0)));
      }
    },
    META_ALTERED("metadata differs", false) {
      @Override
      TransactionRecord alter(TransactionRecord r) {
        return new TransactionRecord(r.tid(),
            new TransactionMeta("mallory", r.meta().description(), r.meta().extension()),
            r.records());
      }
    },
    TRANSACTION_MISSING("it lacks this transaction, which the majority", false) {
      @Override
      List<TransactionRecord> apply(List<TransactionRecord> history) {
        List<TransactionRecord> copy = new ArrayList<>(history);
        copy.remove(BAD);
        return copy;
      }
    },
    TRANSACTION_ADDED("it holds this transaction, which the majority", false) {
      @Override
      List<TransactionRecord> apply(List<TransactionRecord> history) {
        List<TransactionRecord> copy = new ArrayList<>(history);
        copy.add(BAD + 1, new TransactionRecord(tid(history), TransactionMeta.EMPTY,
            List.of(new DataRecord(STRAY, payload(0, 's')))));
        return copy;
      }

      @Override
      Tid tid(List<TransactionRecord> history) {
        return history.get(BAD).tid().next();
      }
    };

    final String detail;
    final boolean namesAnObject;

    Corruption(String detail, boolean namesAnObject) {
      this.detail = detail;
      this.namesAnObject = namesAnObject;
    }

    TransactionRecord alter(TransactionRecord record) {
      return record;
    }

    List<TransactionRecord> apply(List<TransactionRecord> history) {
      List<TransactionRecord> copy = new ArrayList<>(history);
      copy.set(BAD, alter(history.get(BAD)));
      return copy;
    }

    /** The tid where the difference is. */
    Tid tid(List<TransactionRecord> history) {
      return history.get(BAD).tid();
    }
  }

  /** Changes the data of the first record of {@code tid} as a backend serves it. */
  private static TransactionRecord rot(TransactionRecord record) {
    DataRecord first = record.records().get(0);
    byte[] rotten = first.data();
    rotten[0] ^= 0x40;
    List<DataRecord> records = new ArrayList<>(record.records());
    records.set(0, new DataRecord(first.oid(), rotten));
    return new TransactionRecord(record.tid(), record.meta(), records);
  }

  @Test
  void aRaidWhoseBackendsAgreeScrubsConsistentAndStaysOptimal() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      List<Tid> tids = commitBulk(raid, 150);

      ScrubProgress p = awaitEnd(raid.admin().scrub());

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertTrue(p.consistent(), p.toString());
      assertEquals(List.of("a", "b", "c"), p.backends());
      assertEquals(150, p.transactionsCompared());
      assertEquals(150, p.transactionsTotal());
      assertEquals(150 * 200, p.bytesCompared());
      assertEquals(tids.get(149), p.end());
      assertEquals(tids.get(149), p.position());
      assertEquals(Tid.NONE, p.resumedAfter());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertTrue(raid.admin().lastScrub().orElseThrow().isDone());
    }
  }

  @ParameterizedTest
  @EnumSource(Corruption.class)
  void aBackendWhoseStoredHistoryDiffersIsFoundNamedAndTakenOutOfService(Corruption how)
      throws Exception {
    try (Fixture f = Fixture.of(3)) {
      List<TransactionRecord> history = history(60);
      store(f, history, 2, how);
      RaidStorage raid = f.open();
      assertEquals(RaidStatus.OPTIMAL, raid.status());

      ScrubProgress p = awaitEnd(raid.admin().scrub());

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertEquals(1, p.findings().size(), p.findings().toString());
      ScrubFinding found = p.findings().get(0);
      assertEquals(ScrubFinding.Kind.DIVERGED, found.kind());
      assertEquals(List.of("c"), found.backends());
      Tid at = how.tid(history);
      assertEquals(at, found.tid());
      assertTrue(found.detail().contains(how.detail), found.detail());
      assertTrue(found.detail().contains("(the majority: 'a', 'b')"), found.detail());
      assertEquals(how.namesAnObject, found.oid().isPresent(), found.toString());
      assertEquals(1, p.differences());
      assertEquals(how == Corruption.TRANSACTION_ADDED ? 61 : 60, p.transactionsCompared(),
          "the others are compared to the end");
      BackendInfo c = f.info(2);
      assertEquals(BackendState.DEGRADED, c.state());
      assertTrue(c.reason().startsWith("diverged at " + at
          + found.oid().map(oid -> ", " + oid).orElse("") + ": "), c.reason());
      assertTrue(c.reason().endsWith("found by scrub"), c.reason());
      assertEquals(BackendState.OPTIMAL, f.info(0).state());
      assertEquals(BackendState.OPTIMAL, f.info(1).state());
      assertTrue(found.describe().startsWith("backend 'c' diverged at " + at), found.describe());
    }
  }

  @Test
  void aBackendThatServesAlteredDataOfAnOldTransactionIsRepairedFromTheMajority()
      throws Exception {
    try (Fixture f = Fixture.of(3)) {
      AtomicReference<FaultyStorage> firstInstance = new AtomicReference<>();
      f.onNextOpen(2, instance -> {
        FaultyStorage faulty = FaultyStorage.wrap(instance);
        firstInstance.set(faulty);
        return faulty;
      });
      RaidStorage raid = f.open();
      List<Tid> tids = commitBulk(raid, 100);
      Tid old = tids.get(30);
      firstInstance.get().corrupt(old, ScrubTest::rot);

      ScrubProgress p = awaitEnd(raid.admin().scrub(true));

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      ScrubFinding found = p.findings().get(0);
      assertEquals(List.of("c"), found.backends());
      assertEquals(old, found.tid());
      assertEquals(Optional.of(Oid.of(10_030)), found.oid());
      assertEquals(1, p.repairs().size());
      RecoveryProgress repair = p.repairs().get(0);
      assertEquals("c", repair.backend());
      assertEquals(RecoveryPhase.DONE, repair.phase(), repair.failure());
      assertEquals(BackendState.OPTIMAL, f.info(2).state(), f.info(2).reason());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertTrue(awaitEnd(raid.admin().scrub()).consistent(), "the repaired backend agrees");
    }
  }

  @Test
  void aStoredDivergenceIsRefusedByTheRepairNamingTheTidAndRecoveredAfterAWipe()
      throws Exception {
    try (Fixture f = Fixture.of(3)) {
      List<TransactionRecord> history = history(40);
      store(f, history, 2, Corruption.RECORD_ADDED);
      RaidStorage raid = f.open();

      ScrubProgress p = awaitEnd(raid.admin().scrub(true));

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      RecoveryProgress repair = p.repairs().get(0);
      assertEquals(RecoveryPhase.FAILED, repair.phase());
      Tid at = history.get(BAD).tid();
      assertTrue(repair.failure().contains("refused")
          && repair.failure().contains(at.toString())
          && repair.failure().contains("holds a record of " + STRAY), repair.failure());
      assertEquals(BackendState.DEGRADED, f.info(2).state());

      f.wipe(2);
      assertEquals(RecoveryPhase.DONE, RecoveryTest.awaitEnd(raid.admin().recover("c")).phase());
      assertTrue(awaitEnd(raid.admin().scrub()).consistent());
    }
  }

  @Test
  void aRecordOfAnObjectWrittenAgainLaterThatAPackDroppedIsNoDivergence() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      List<TransactionRecord> history = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        history.add(new TransactionRecord(Tid.of(BASE.value() + i), TransactionMeta.EMPTY,
            List.of(new DataRecord(Oid.of(7), payload(i, 'p')))));
      }
      store(f, history);
      Tid after = history.get(2).tid().next();
      f.memory(0).pack(after); // a and b dropped the first two revisions; c did not
      f.memory(1).pack(after);
      RaidStorage raid = f.open();
      f.skipHistoryCheck(); // c keeps two revisions the others dropped, on purpose

      ScrubProgress p = awaitEnd(raid.admin().scrub());

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertTrue(p.consistent(), p.findings().toString());
      assertEquals(2, p.recordsDroppedByPack());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void twoBackendsThatDifferAreReportedAsATieAndNothingIsRepaired() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      List<Tid> tids = commitBulk(raid, 50);
      f.faulty(1).corrupt(tids.get(10), ScrubTest::rot);

      ScrubProgress p = awaitEnd(raid.admin().scrub(true));

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      ScrubFinding tie = p.findings().get(0);
      assertEquals(ScrubFinding.Kind.NO_MAJORITY, tie.kind());
      assertEquals(List.of("a", "b"), tie.backends());
      assertEquals(tids.get(10), tie.tid());
      assertEquals(Optional.of(Oid.of(10_010)), tie.oid());
      assertTrue(tie.detail().contains("nothing is taken out of service or repaired"),
          tie.detail());
      assertTrue(tie.describe().startsWith("no majority among 'a', 'b' at " + tids.get(10)),
          tie.describe());
      assertEquals(1, p.differences());
      assertTrue(p.repairs().isEmpty());
      assertFalse(p.consistent());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void fourBackendsSplitTwoAgainstTwoHaveNoMajorityAndFiveSplitThreeToTwoDegradeTheTwo()
      throws Exception {
    try (Fixture f = Fixture.of(4)) {
      RaidStorage raid = f.open();
      Tid tid = commitBulk(raid, 5).get(2);
      f.faulty(2).corrupt(tid, ScrubTest::rot);
      f.faulty(3).corrupt(tid, ScrubTest::rot);
      ScrubProgress p = awaitEnd(raid.admin().scrub(true));
      assertEquals(ScrubFinding.Kind.NO_MAJORITY, p.findings().get(0).kind());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
    try (Fixture f = Fixture.of(5)) {
      RaidStorage raid = f.open();
      Tid tid = commitBulk(raid, 5).get(2);
      f.faulty(3).corrupt(tid, ScrubTest::rot);
      f.faulty(4).corrupt(tid, ScrubTest::rot);
      ScrubProgress p = awaitEnd(raid.admin().scrub());
      assertEquals(2, p.findings().size());
      assertEquals(List.of("d"), p.findings().get(0).backends());
      assertEquals(List.of("e"), p.findings().get(1).backends());
      assertEquals(BackendState.DEGRADED, f.info(3).state());
      assertEquals(BackendState.DEGRADED, f.info(4).state());
      assertEquals(BackendState.OPTIMAL, f.info(0).state());
    }
  }

  @Test
  void scrubUnderContinuousWritersNeverFailsAWriterAndHonoursTheRateLimit() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      commitBulk(raid, 300); // 60 kB: about a second at the lowest rate limit
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong commits = new AtomicLong();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Oid oid = Oid.of(50_000 + w);
        writers.add(Thread.ofVirtual().name("writer-" + w).start(() -> {
          Tid serial = Tid.NONE;
          while (!stop.get()) {
            try {
              serial = Fixture.commit(raid, oid, serial, "write " + commits.get());
              commits.incrementAndGet();
            } catch (RuntimeException e) {
              errors.add(e);
              return;
            }
          }
        }));
      }
      await().until(() -> commits.get() > 10);

      ScrubHandle scrub = raid.admin().scrub();
      long before = commits.get();
      ScrubProgress p = awaitEnd(scrub);
      long during = commits.get() - before;
      stop.set(true);
      for (Thread writer : writers) {
        writer.join();
      }

      double seconds = p.elapsed().toNanos() / 1e9;
      System.out.printf("scrub at %d B/s beside 4 writers: %d transactions, %d bytes in %.2f s"
          + " (%.0f B/s); %d commits meanwhile%n", RaidStorage.MIN_SCRUB_RATE_LIMIT,
          p.transactionsCompared(), p.bytesCompared(), seconds, p.bytesPerSecond(), during);
      assertTrue(errors.isEmpty(), "a writer failed: " + errors.peek());
      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertTrue(p.consistent(), p.toString());
      assertTrue(during > 0, "writers committed while the scrub ran");
      assertTrue(p.transactionsCompared() > 300);
      assertTrue(p.end().isBefore(raid.lastTransaction()), "it compared up to a fixed end");
      assertTrue(seconds >= 0.5, p.bytesCompared() + " bytes at 64 KiB/s cannot take "
          + seconds + " s");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void aCancelledScrubResumesWhereItStoppedUnlessToldToStartOver() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      commitBulk(raid, 200);
      ScrubHandle first = raid.admin().scrub();
      await().until(() -> first.progress().transactionsCompared() >= 20);
      first.cancel();
      ScrubProgress stopped = awaitEnd(first);
      assertEquals(ScrubPhase.CANCELLED, stopped.phase());
      assertEquals("scrub cancelled", stopped.failure());
      long compared = stopped.transactionsCompared();
      assertTrue(compared < 200, "cancelled midway: " + compared);

      ScrubHandle second = raid.admin().scrub();
      assertEquals(stopped.position(), second.progress().resumedAfter());
      ScrubProgress rest = awaitEnd(second);

      assertEquals(ScrubPhase.DONE, rest.phase(), rest.failure());
      assertEquals(200 - compared, rest.transactionsCompared(), "each transaction once");
      assertEquals(200 - compared, rest.transactionsTotal());
      ScrubHandle third = raid.admin().scrub();
      assertEquals(Tid.NONE, third.progress().resumedAfter(), "a finished pass starts over");
      await().until(() -> third.progress().transactionsCompared() >= 20);
      third.cancel();
      Tid where = awaitEnd(third).position();
      assertFalse(where.isNone());
      ScrubHandle over = raid.admin().scrub(ScrubOptions.COMPARE.startingOver());
      assertEquals(Tid.NONE, over.progress().resumedAfter());
      over.cancel();
      awaitEnd(over);
    }
  }

  @Test
  void aBackendThatLeavesServiceLeavesTheScrubAndTheOthersAreComparedToTheEnd()
      throws Exception {
    try (Fixture f = Fixture.of(3)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      commitBulk(raid, 120);
      ScrubHandle scrub = raid.admin().scrub();
      await().until(() -> scrub.progress().transactionsCompared() >= 10);

      raid.admin().disable("c");
      ScrubProgress p = awaitEnd(scrub);

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertEquals(120, p.transactionsCompared());
      assertEquals(0, p.differences());
      String why = p.left().get("c");
      assertTrue(why.startsWith("left service after ") && why.endsWith("disabled by operator"),
          why);
      assertFalse(p.consistent(), "c was not compared to the end");
    }
  }

  @Test
  void aScrubOfTwoFailsWhenOneLeavesAndTheNextResumes() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      raid.admin().disable("c");
      commitBulk(raid, 100);
      ScrubHandle scrub = raid.admin().scrub();
      await().until(() -> scrub.progress().transactionsCompared() >= 10);

      raid.admin().disable("b");
      ScrubProgress p = awaitEnd(scrub);

      assertEquals(ScrubPhase.FAILED, p.phase());
      assertTrue(p.failure().contains("a scrub compares two or more backends"), p.failure());
      IllegalStateException tooFew = assertThrows(IllegalStateException.class,
          () -> raid.admin().scrub());
      assertTrue(tooFew.getMessage().contains("there is 1 (1 of 3 backends optimal)"),
          tooFew.getMessage());
    }
  }

  @Test
  void aBackendThatFailsToReadIsTakenOutOfServiceAndTheScrubGoesOn() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      commitBulk(raid, 80);
      f.faulty(2).on(Operation.ITERATE).failAfter(30);

      ScrubProgress p = awaitEnd(raid.admin().scrub());

      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertEquals(80, p.transactionsCompared());
      assertEquals(0, p.differences());
      BackendInfo c = f.info(2);
      assertEquals(BackendState.DEGRADED, c.state());
      assertTrue(c.reason().startsWith("error in scrub: "), c.reason());
      assertTrue(p.left().get("c").contains("error in scrub"), p.left().toString());
    }
  }

  @Test
  void aPackIsRefusedWhileAScrubRunsAndAScrubWaitsForARunningPack() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      List<Tid> tids = commitBulk(raid, 100);
      ScrubHandle scrub = raid.admin().scrub();
      await().until(() -> scrub.progress().phase() == ScrubPhase.COMPARING);

      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> raid.pack(tids.get(50)));

      assertTrue(refused.getMessage().contains("pack refused while a scrub runs (COMPARING, ")
          && refused.getMessage().contains("the next scrub resumes where it stopped"),
          refused.getMessage());
      scrub.cancel();
      awaitEnd(scrub);

      f.faulty(0).on(Operation.PACK).stall();
      Thread pack = Thread.ofVirtual().start(() -> raid.pack(tids.get(50)));
      await().until(() -> f.faulty(0).hanging() == 1);
      ScrubHandle waiting = raid.admin().scrub(ScrubOptions.COMPARE.startingOver());
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
          .until(() -> waiting.progress().phase() == ScrubPhase.STARTING);
      f.faulty(0).clearAll();
      f.faulty(0).releaseHangs();
      pack.join();
      ScrubProgress p = awaitEnd(waiting);
      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertTrue(p.consistent(), p.toString());
    }
  }

  @Test
  void aScrubWaitingForAPackCanBeCancelled() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      Tid tid = commitBulk(raid, 3).get(1);
      f.faulty(1).on(Operation.PACK).stall();
      Thread pack = Thread.ofVirtual().start(() -> raid.pack(tid));
      await().until(() -> f.faulty(1).hanging() == 1);
      ScrubHandle waiting = raid.admin().scrub();

      waiting.cancel();

      ScrubProgress p = awaitEnd(waiting);
      assertEquals(ScrubPhase.CANCELLED, p.phase());
      assertEquals(0, p.transactionsCompared());
      f.faulty(1).clearAll();
      f.faulty(1).releaseHangs();
      pack.join();
    }
  }

  @Test
  void oneScrubAtATimeAndClosingTheRaidCancelsIt() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      commitBulk(raid, 100);
      ScrubHandle scrub = raid.admin().scrub();

      IllegalStateException twice = assertThrows(IllegalStateException.class,
          () -> raid.admin().scrub(true));
      assertTrue(twice.getMessage().contains("a scrub is already running"), twice.getMessage());
      assertThrows(NullPointerException.class, () -> raid.admin().scrub(null));

      raid.close();

      assertTrue(scrub.isDone(), "close waits for the scrub to stop");
      ScrubProgress p = scrub.progress();
      assertEquals(ScrubPhase.CANCELLED, p.phase());
      assertEquals("scrub cancelled: the RAID closed", p.failure());
    }
  }

  @Test
  void anEmptyRaidScrubsAtOnce() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      ScrubProgress p = awaitEnd(raid.admin().scrub());
      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      assertEquals(0, p.transactionsCompared());
      assertTrue(p.consistent());
      assertEquals(Tid.NONE, p.end());
    }
  }
}
