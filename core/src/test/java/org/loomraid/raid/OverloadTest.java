package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Tid;

/**
 * A RAID whose JVM is starved of CPU and of carrier threads is overloaded, not broken: no healthy
 * backend leaves service, and the calls that could not be served in time say so.
 */
class OverloadTest {

  /** Reads to serve during the saturation, besides the writers' attempts. */
  private static final long WORK_READS = 100_000;

  @Test
  void starvingTheCarrierThreadsWithBusyVirtualThreadsDegradesNoHealthyBackend()
      throws Exception {
    saturate(2, 2, 4, 4, Thread.ofPlatform().daemon(true));
  }

  @Test
  void writersAndReadersFlatOutOnBusyCoresDegradeNoHealthyBackend() throws Exception {
    saturate(0, 2, 8, 4, Thread.ofVirtual());
  }

  /**
   * Runs writers and readers (built by {@code workers}) against a RAID of three memory backends
   * while {@code busyVirtual} and {@code busyPlatform} threads per core spin, then checks that no
   * backend left service and every acknowledged commit is there.
   */
  private static void saturate(int busyVirtual, int busyPlatform, int writers, int readers,
      Thread.Builder workers) throws Exception {
    List<MemoryStorage> memory = List.of(MemoryStorage.create("a"), MemoryStorage.create("b"),
        MemoryStorage.create("c"));
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    RaidStorage.Builder builder = RaidStorage.builder("busy")
        .callTimeout(Duration.ofMillis(100)).listener(transitions::add);
    for (MemoryStorage storage : memory) {
      builder.backend(storage.name(), () -> storage);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong attempts = new AtomicLong();
    AtomicLong committed = new AtomicLong();
    AtomicLong overloaded = new AtomicLong();
    AtomicLong inDoubt = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong notFound = new AtomicLong();
    AtomicLong readsOverloaded = new AtomicLong();
    Map<Oid, Tid> acknowledged = new ConcurrentHashMap<>();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    int cores = Runtime.getRuntime().availableProcessors();
    try (RaidStorage raid = builder.open()) {
      transitions.clear();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        acknowledged.put(Oid.of(100 + w), Fixture.commit(raid, Oid.of(100 + w), Tid.NONE, "0"));
      }
      for (int i = 0; i < busyVirtual * cores; i++) {
        threads.add(Thread.ofVirtual().name("busy-virtual-" + i).start(() -> spin(stop)));
      }
      for (int i = 0; i < busyPlatform * cores; i++) {
        threads.add(Thread.ofPlatform().name("busy-platform-" + i).daemon(true)
            .start(() -> spin(stop)));
      }
      for (int w = 0; w < writers; w++) {
        Oid oid = Oid.of(100 + w);
        threads.add(workers.name("writer-" + w).start(() -> {
          Tid serial = acknowledged.get(oid);
          while (!stop.get()) {
            try {
              serial = Fixture.commit(raid, oid, serial, "w" + attempts.incrementAndGet());
              acknowledged.put(oid, serial);
              committed.incrementAndGet();
            } catch (RaidOverloadedException e) {
              overloaded.incrementAndGet();
            } catch (CommitOutcomeUnknownException e) {
              inDoubt.incrementAndGet();
              serial = currentSerial(raid, oid);
            } catch (ConflictException e) {
              serial = currentSerial(raid, oid);
            } catch (Throwable t) {
              unexpected.add(t);
              return;
            }
          }
        }));
      }
      for (int r = 0; r < readers; r++) {
        threads.add(workers.name("reader-" + r).start(() -> {
          while (!stop.get()) {
            try {
              raid.load(Oid.of(100 + ThreadLocalRandom.current().nextInt(writers)));
              raid.lastTransaction();
              reads.incrementAndGet();
            } catch (ObjectNotFoundException e) {
              notFound.incrementAndGet();
            } catch (RaidOverloadedException e) {
              readsOverloaded.incrementAndGet();
            } catch (Throwable t) {
              unexpected.add(t);
              return;
            }
          }
        }));
      }
      // Saturated for a fixed amount of work rather than of time: until the readers were served
      // WORK_READS times and writers attempted commits (virtual readers that never block can keep
      // virtual writers off the carriers for long, which is part of the overload), or a worker met
      // something unexpected.
      await().atMost(Duration.ofSeconds(60)).until(() -> !unexpected.isEmpty()
          || (attempts.get() > 0 && reads.get() >= WORK_READS));
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(Duration.ofSeconds(30));
        assertTrue(!thread.isAlive(), thread.getName() + " did not stop: a call hung");
      }

      System.out.printf("overload: %d commits acknowledged, %d refused as overload, %d in doubt,"
          + " %d reads (%d not found yet, %d refused as overload), %d cores%n", committed.get(),
          overloaded.get(), inDoubt.get(), reads.get(), notFound.get(), readsOverloaded.get(),
          cores);
      assertEquals(List.of(), unexpected);
      assertEquals(List.of(), transitions, "a healthy backend was taken out of service");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      Fixture.commit(raid, Oid.of(999), Tid.NONE, "after the load");
      for (Map.Entry<Oid, Tid> entry : acknowledged.entrySet()) {
        Revision revision = raid.loadSerial(entry.getKey(), entry.getValue());
        assertEquals(entry.getValue(), revision.serial());
      }
      assertTrue(reads.get() > 0, "reads were served during the saturation");
      assertEquals(RecoveryTest.history(memory.get(0)), RecoveryTest.history(memory.get(1)));
      assertEquals(RecoveryTest.history(memory.get(0)), RecoveryTest.history(memory.get(2)));
    }
  }

  private static Tid currentSerial(RaidStorage raid, Oid oid) {
    while (true) {
      try {
        return raid.load(oid).serial();
      } catch (ObjectNotFoundException e) {
        return Tid.NONE;
      } catch (RaidOverloadedException e) {
        // try again
      }
    }
  }

  private static void spin(AtomicBoolean stop) {
    long sink = 0;
    while (!stop.get()) {
      sink += System.nanoTime() & 1;
    }
    if (sink == 42) {
      System.out.print("");
    }
  }
}
