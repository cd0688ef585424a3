package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * A seeded, reproducible run of concurrent writers (read-modify-write on objects of their own),
 * readers, random faults injected on the backends and repaired through {@code admin}, and scrubs
 * among them, ending with a checker: no acknowledged commit is lost, every in-doubt commit is either
 * wholly there or wholly absent, no scrub found a difference (none was injected, so a finding would
 * take a healthy backend out of service), a last scrub finds every backend in agreement, and every
 * backend holds the identical history. Replay a failure with {@code -Dloomraid.seed=<seed>}.
 */
class RandomizedRaidTest {

  private static final Duration RUN =
      Duration.ofSeconds(Long.getLong("loomraid.randomized.seconds", 15));
  private static final int WRITERS = 4;
  private static final int OBJECTS_PER_WRITER = 3;

  /** A commit a writer was told about: acknowledged, or in doubt. */
  private record Written(Oid oid, Tid tid, String value, boolean acknowledged) {}

  @Test
  void randomFaultsAndRepairsUnderConcurrentWritersLoseNoAcknowledgedCommit() throws Exception {
    long seed = Long.getLong("loomraid.seed", ThreadLocalRandom.current().nextLong());
    System.out.println("randomized RAID test: seed " + seed
        + " (replay with -Dloomraid.seed=" + seed + ")");
    Random chaos = new Random(seed);
    AtomicBoolean stop = new AtomicBoolean();
    List<Written> written = new CopyOnWriteArrayList<>();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    AtomicLong faults = new AtomicLong();
    AtomicLong repairs = new AtomicLong();
    AtomicLong refusals = new AtomicLong();
    List<ScrubHandle> scrubs = new CopyOnWriteArrayList<>();
    try (Fixture f = Fixture.of(3)) {
      f.builder.callTimeout(Duration.ofMillis(200)).failMode(FailMode.READ_ONLY)
          .commitLockTimeout(Duration.ofSeconds(5));
      RaidStorage raid = f.open();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        workers.add(Thread.ofVirtual().name("writer-" + w).start(
            () -> write(raid, writer, seed, stop, written, unexpected, refusals)));
      }
      for (int r = 0; r < 2; r++) {
        workers.add(Thread.ofVirtual().name("reader-" + r).start(
            () -> read(raid, stop, unexpected)));
      }
      ScheduledExecutorService injector = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("chaos").daemon(true).factory());
      injector.scheduleWithFixedDelay(() -> {
        try {
          step(f, raid, chaos, faults, repairs, scrubs);
        } catch (Throwable t) {
          unexpected.add(t);
        }
      }, 50, 150, TimeUnit.MILLISECONDS);
      injector.schedule(() -> stop.set(true), RUN.toMillis(), TimeUnit.MILLISECONDS);
      for (Thread worker : workers) {
        worker.join();
      }
      injector.shutdownNow();
      assertTrue(injector.awaitTermination(30, TimeUnit.SECONDS));

      Set<Tid> inDoubtTids = new HashSet<>();
      written.stream().filter(w -> !w.acknowledged()).forEach(w -> inDoubtTids.add(w.tid()));
      int wiped = repairAll(f, raid, inDoubtTids);
      int lost = 0;
      int inDoubtCommitted = 0;
      int inDoubt = 0;
      for (Written w : written) {
        Revision found = revision(raid, w.oid(), w.tid());
        boolean there = found != null && Fixture.text(found.data()).equals(w.value());
        if (w.acknowledged() && !there) {
          lost++;
          System.out.println("LOST: " + w);
        }
        if (!w.acknowledged()) {
          inDoubt++;
          inDoubtCommitted += there ? 1 : 0;
        }
      }
      long acknowledged = written.stream().filter(Written::acknowledged).count();
      int diverged = divergent(f);
      for (ScrubHandle scrub : scrubs) {
        scrub.await(Duration.ofSeconds(30));
      }
      List<String> found = new ArrayList<>();
      long scrubbed = 0;
      for (ScrubHandle scrub : scrubs) {
        ScrubProgress p = scrub.progress();
        scrubbed += p.transactionsCompared();
        p.findings().forEach(finding -> found.add(finding.describe()));
      }
      ScrubHandle lastScrub = raid.admin().scrub(ScrubOptions.COMPARE.startingOver());
      assertTrue(lastScrub.await(Duration.ofSeconds(60)), "the last scrub did not end");
      ScrubProgress last = lastScrub.progress();
      System.out.printf("randomized RAID test: seed %d, %d commits acknowledged, %d in doubt"
              + " (%d of them committed), %d refused, %d faults injected, %d repairs,"
              + " %d backends wiped for an in-doubt commit only they held, %d lost,"
              + " %d backends diverged, %d scrubs (%d transactions compared)%n", seed,
          acknowledged, inDoubt, inDoubtCommitted, refusals.get(), faults.get(), repairs.get(),
          wiped, lost, diverged, scrubs.size(), scrubbed);
      assertEquals(List.of(), List.copyOf(unexpected), "seed " + seed);
      assertEquals(0, lost, "seed " + seed);
      assertEquals(0, diverged, "seed " + seed);
      assertEquals(List.of(), found, "seed " + seed + ": scrubs found differences");
      assertTrue(last.consistent(), "seed " + seed + ": " + last);
      assertTrue(acknowledged > 0, "seed " + seed + ": nothing was committed");
      assertTrue(faults.get() > 0, "seed " + seed + ": no fault was injected");
    }
  }

  private static void write(RaidStorage raid, int writer, long seed, AtomicBoolean stop,
      List<Written> written, List<Throwable> unexpected, AtomicLong refusals) {
    Random random = new Random(seed * 31 + writer);
    long n = 0;
    while (!stop.get()) {
      Oid oid = Oid.of(1000L * (writer + 1) + random.nextInt(OBJECTS_PER_WRITER));
      String value = "w" + writer + "-" + n++;
      try {
        Tid serial = currentSerial(raid, oid);
        Tid tid = Fixture.commit(raid, oid, serial, value);
        written.add(new Written(oid, tid, value, true));
      } catch (CommitOutcomeUnknownException doubt) {
        written.add(new Written(oid, doubt.tid(), value, false));
      } catch (StorageException | RaidException e) {
        refusals.incrementAndGet(); // an answer, a read-only or overloaded RAID: not committed
        backOff();
      } catch (Throwable t) {
        unexpected.add(t);
        return;
      }
    }
  }

  private static Tid currentSerial(RaidStorage raid, Oid oid) {
    try {
      return raid.load(oid).serial();
    } catch (ObjectNotFoundException e) {
      return Tid.NONE;
    }
  }

  private static void read(RaidStorage raid, AtomicBoolean stop, List<Throwable> unexpected) {
    while (!stop.get()) {
      Oid oid = Oid.of(1000L * (1 + ThreadLocalRandom.current().nextInt(WRITERS))
          + ThreadLocalRandom.current().nextInt(OBJECTS_PER_WRITER));
      try {
        Revision revision = raid.load(oid);
        if (revision.serial().isAfter(raid.lastTransaction())) {
          unexpected.add(new AssertionError("read " + revision + " after the RAID's last tid"));
        }
      } catch (StorageException | RaidException e) {
        // not written yet, or no backend could serve it just now
      } catch (Throwable t) {
        unexpected.add(t);
        return;
      }
      backOff();
    }
  }

  /**
   * Pauses a worker briefly. A read of memory never blocks, nor does a refused write: without a
   * pause, workers spinning on virtual threads would keep the carriers from the RAID's own threads
   * (which is overload, tested elsewhere, and only slows this test down).
   */
  private static void backOff() {
    LockSupport.parkNanos(200_000);
  }

  /** One chaos step: break a backend one way or another, or repair one. */
  private static void step(Fixture f, RaidStorage raid, Random chaos, AtomicLong faults,
      AtomicLong repairs, List<ScrubHandle> scrubs) {
    int backend = chaos.nextInt(f.faulty.size());
    FaultyStorage storage = f.faulty(backend);
    String name = f.info(backend).name();
    switch (chaos.nextInt(9)) {
      case 0 -> storage.on(pick(chaos, Operation.VOTE, Operation.COMMIT, Operation.STORE,
          Operation.BEGIN, Operation.LOAD, Operation.LAST_TRANSACTION)).failOnce();
      case 1 -> storage.on(pick(chaos, Operation.VOTE, Operation.LOAD, Operation.ITERATE,
          Operation.COMMIT)).hang();
      case 2 -> storage.on(pick(chaos, Operation.LAST_TRANSACTION, Operation.COMMIT))
          .wrongResult();
      case 3 -> storage.on(Operation.COMMIT).stall();
      case 4 -> {
        try {
          raid.admin().disable(name);
        } catch (IllegalStateException refused) {
          return; // the last optimal backend, or not optimal: nothing injected
        }
      }
      case 5 -> {
        try {
          scrubs.add(raid.admin().scrub());
        } catch (IllegalStateException busy) {
          // one runs already, or fewer than two backends are optimal
        }
        return;
      }
      default -> {
        storage.clearAll();
        storage.releaseHangs();
        if (f.info(backend).state() == BackendState.DEGRADED) {
          try {
            raid.admin().recover(name);
            repairs.incrementAndGet();
          } catch (IllegalStateException busy) {
            // changed state meanwhile
          }
        }
        return;
      }
    }
    faults.incrementAndGet();
  }

  private static Operation pick(Random chaos, Operation... operations) {
    return operations[chaos.nextInt(operations.length)];
  }

  /**
   * Clears every fault and recovers every backend until the whole RAID is OPTIMAL again. A backend
   * whose recovery is refused because it holds transactions its source lacks is wiped and
   * recovered from scratch, as an operator would, once it is shown that every such transaction is
   * an in-doubt commit that landed only there (its writer was told so, and the RAID went on
   * without it); any other divergence fails the test.
   *
   * @return how many backends were wiped
   */
  private static int repairAll(Fixture f, RaidStorage raid, Set<Tid> inDoubt)
      throws InterruptedException {
    int wiped = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (raid.status() != RaidStatus.OPTIMAL && System.nanoTime() < deadline) {
      for (FaultyStorage storage : f.faulty) {
        storage.clearAll();
        storage.releaseHangs();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> raid.backends().stream()
          .noneMatch(info -> info.state() == BackendState.RECOVERING));
      List<BackendInfo> infos = raid.backends();
      for (int i = 0; i < infos.size(); i++) {
        if (infos.get(i).state() != BackendState.DEGRADED) {
          continue;
        }
        RecoveryHandle handle;
        try {
          handle = raid.admin().recover(infos.get(i).name());
        } catch (IllegalStateException busy) {
          continue; // changed state meanwhile: look again
        }
        handle.await(Duration.ofSeconds(30));
        RecoveryProgress progress = handle.progress();
        if (progress.failure().contains("the target has it, the source does not")) {
          Set<Tid> extra = extraTids(f, i);
          extra.removeAll(inDoubt);
          assertEquals(Set.of(), extra, "backend " + infos.get(i).name() + " holds transactions"
              + " no writer was told were in doubt: " + progress.failure());
          f.wipe(i);
          wiped++;
        }
      }
    }
    assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    return wiped;
  }

  /** Returns the tids backend {@code i} holds that no OPTIMAL backend holds. */
  private static Set<Tid> extraTids(Fixture f, int i) {
    Set<Tid> extra = new HashSet<>();
    RecoveryTest.history(f.memory(i)).forEach(record -> extra.add(record.tid()));
    for (int j = 0; j < f.memory.size(); j++) {
      if (f.info(j).state() == BackendState.OPTIMAL) {
        RecoveryTest.history(f.memory(j)).forEach(record -> extra.remove(record.tid()));
        break;
      }
    }
    return extra;
  }

  private static Revision revision(RaidStorage raid, Oid oid, Tid tid) {
    try {
      return raid.loadSerial(oid, tid);
    } catch (ObjectNotFoundException e) {
      return null;
    }
  }

  /** Returns how many backends' histories differ from the first one's. */
  private static int divergent(Fixture f) {
    int diverged = 0;
    var reference = RecoveryTest.history(f.memory(0));
    for (int i = 1; i < f.memory.size(); i++) {
      if (!reference.equals(RecoveryTest.history(f.memory(i)))) {
        diverged++;
      }
    }
    return diverged;
  }
}
