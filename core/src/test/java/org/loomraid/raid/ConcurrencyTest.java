package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Many virtual-thread writers and readers against a 3-backend RAID while a backend fails midway:
 * every acknowledged commit is on every backend still optimal, readers never see half a
 * transaction, and a backend that many threads see failing is degraded once and closed once.
 */
class ConcurrencyTest {

  private static final int WRITERS = 60;
  private static final int READERS = 60;
  private static final int COMMITS_PER_WRITER = 15;

  @Test
  void acknowledgedCommitsSurviveOnEveryOptimalBackendWhileOneFailsMidway() throws Exception {
    try (Fixture f = Fixture.of(3); PinningRecorder pinning = PinningRecorder.start()) {
      List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
      f.builder.listener(transitions::add).callTimeout(Duration.ofSeconds(20));
      RaidStorage raid = f.open();
      transitions.clear();
      f.faulty(2).on(Operation.COMMIT).failAfter(WRITERS * COMMITS_PER_WRITER / 3);

      Queue<Tid> acknowledged = new ConcurrentLinkedQueue<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger snapshotsChecked = new AtomicInteger();
      // Readers wait at a gate that every commit opens for one check, so they run concurrently
      // with the writers without flooding the scheduler (a reader spinning flat out on a 2-core
      // machine can starve the writers of carrier threads).
      Semaphore gate = new Semaphore(0);
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          writers.add(pool.submit(() -> {
            write(raid, writer, acknowledged, gate);
            return null;
          }));
        }
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
          int reader = r;
          readers.add(pool.submit(() -> {
            while (true) {
              gate.acquire();
              if (!writing.get()) {
                return null;
              }
              checkSnapshot(raid, reader % WRITERS);
              snapshotsChecked.incrementAndGet();
            }
          }));
        }
        try {
          for (Future<?> writer : writers) {
            writer.get(2, TimeUnit.MINUTES);
          }
        } finally {
          writing.set(false);
          gate.release(READERS);
        }
        for (Future<?> reader : readers) {
          reader.get(2, TimeUnit.MINUTES);
        }
      }

      assertEquals(WRITERS * COMMITS_PER_WRITER, acknowledged.size());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertEquals(1, transitions.size(), "degraded once: " + transitions);
      org.awaitility.Awaitility.await().until(() -> f.closes(2) == 1);
      for (int i = 0; i < 2; i++) {
        assertEquals(BackendState.OPTIMAL, f.info(i).state());
        Set<Tid> stored = tids(f.memory(i));
        assertTrue(stored.containsAll(acknowledged), "backend " + i + " has every commit");
      }
      assertEquals(tids(f.memory(0)), tids(f.memory(1)), "the optimal backends agree");
      assertTrue(snapshotsChecked.get() > 0);
      System.out.printf("%d commits, %d snapshot reads checked%n", acknowledged.size(),
          snapshotsChecked.get());
      assertEquals(List.of(), pinning.pinnedEvents(), "no virtual thread was pinned");
    }
  }

  /** Writer w owns objects 2w+1 and 2w+2 and writes both in every transaction. */
  private static void write(RaidStorage raid, int writer, Queue<Tid> acknowledged,
      Semaphore gate) {
    Oid first = Oid.of(2L * writer + 1);
    Oid second = Oid.of(2L * writer + 2);
    Tid serial = Tid.NONE;
    for (int i = 0; i < COMMITS_PER_WRITER; i++) {
      byte[] data = Fixture.bytes("w" + writer + "-" + i);
      try (var tx = raid.begin(org.loomraid.storage.TransactionMeta.of("w" + writer, "" + i))) {
        tx.store(first, serial, data);
        tx.store(second, serial, data);
        tx.vote();
        serial = tx.commit();
        acknowledged.add(serial);
        gate.release();
      } catch (ConflictException e) {
        throw new AssertionError("writers own their objects; no conflict expected", e);
      }
    }
  }

  /** Reads a writer's two objects as of one snapshot: they must hold the same data. */
  private static void checkSnapshot(RaidStorage raid, int writer) {
    Tid snapshot = raid.lastTransaction();
    if (snapshot.isNone()) {
      return;
    }
    Optional<Revision> a = loadBefore(raid, Oid.of(2L * writer + 1), snapshot.next());
    Optional<Revision> b = loadBefore(raid, Oid.of(2L * writer + 2), snapshot.next());
    if (a.isPresent() || b.isPresent()) {
      Revision ra = a.orElseThrow();
      Revision rb = b.orElseThrow();
      assertEquals(ra.serial(), rb.serial(), "both written by one transaction");
      assertArrayEquals(ra.data(), rb.data());
    }
  }

  /** Loads the revision before {@code tid}; empty if there is none (or no object yet). */
  private static Optional<Revision> loadBefore(RaidStorage raid, Oid oid, Tid tid) {
    try {
      return raid.loadBefore(oid, tid);
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  private static Set<Tid> tids(MemoryStorage storage) {
    Set<Tid> tids = new HashSet<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      while (it.hasNext()) {
        TransactionRecord record = it.next();
        tids.add(record.tid());
      }
    }
    return tids;
  }
}
