package org.loomraid.backends.file;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.raid.RecoveryPhase;
import org.loomraid.raid.RecoveryProgress;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;

/**
 * Online recovery of a RAID over FileStorage backends: the recovered backend's files hold exactly
 * the history of the others, while writers commit, and after the RAID is reopened.
 */
class FileRecoveryTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path root;

  private Path dir(String name) {
    try {
      return java.nio.file.Files.createDirectories(root.resolve(name));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Storage open(Path directory) {
    return FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.NONE).open();
  }

  private RaidStorage.Builder raid(String name, String... backends) {
    RaidStorage.Builder builder = RaidStorage.builder(name);
    for (String backend : backends) {
      Path directory = dir(backend);
      builder.backend(backend, () -> open(directory));
    }
    return builder;
  }

  /** Reads a backend's history straight from its directory, with the RAID closed. */
  private List<org.loomraid.storage.TransactionRecord> historyOf(String backend) {
    try (Storage storage = open(dir(backend))) {
      return Fixtures.history(storage);
    }
  }

  @Test
  void emptyFileBackendIsRecoveredWhileWritersCommitAndItsFilesEndIdentical() throws Exception {
    long promotedAt;
    long stallNanos = 0;
    RecoveryProgress progress;
    AtomicLong promoted = new AtomicLong();
    try (RaidStorage raid = raid("files", "a", "b")
        .listener(t -> {
          if (t.to() == BackendState.OPTIMAL && t.name().equals("c")) {
            promoted.set(System.nanoTime());
          }
        })
        .open()) {
      Fixtures.commitSmall(raid, 300);
      Path c = dir("c");
      raid.admin().add("c", () -> open(c));

      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong commits = new AtomicLong();
      Queue<long[]> commitTimes = new ConcurrentLinkedQueue<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          Oid oid = Oid.of(10_000 + w);
          writers.add(pool.submit(() -> {
            int i = 0;
            while (writing.get() || i < 10) {
              long start = System.nanoTime();
              Fixtures.commit(raid, oid, "w" + oid.value() + "-" + i++);
              commitTimes.add(new long[] {start, System.nanoTime()});
              commits.incrementAndGet();
            }
            return null;
          }));
        }
        await().atMost(PATIENCE).until(() -> commits.get() > 20);
        RecoveryHandle handle = raid.admin().recover("c");
        assertTrue(handle.await(PATIENCE), "recovery did not end: " + handle.progress());
        progress = handle.progress();
        long target = commits.get() + 20;
        await().atMost(PATIENCE).until(() -> commits.get() > target);
        writing.set(false);
        for (Future<?> writer : writers) {
          writer.get(2, TimeUnit.MINUTES);
        }
      }
      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      promotedAt = promoted.get();
      for (long[] commit : commitTimes) {
        if (commit[0] <= promotedAt && promotedAt <= commit[1]) {
          stallNanos = Math.max(stallNanos, commit[1] - commit[0]);
        }
      }
      System.out.printf("file recovery while 4 writers commit: %s; longest writer stall during "
          + "promotion %.2f ms%n", progress, stallNanos / 1e6);
    }
    List<org.loomraid.storage.TransactionRecord> a = historyOf("a");
    Fixtures.assertSameHistory(a, historyOf("b"));
    Fixtures.assertSameHistory(a, historyOf("c"));
    assertTrue(a.size() > 300);
  }

  @Test
  void laggingFileBackendIsRecoveredAfterTheRaidIsReopened() throws Exception {
    try (RaidStorage raid = raid("reopen", "a", "b").open()) {
      Fixtures.commitSmall(raid, 20);
      raid.admin().disable("b");
      Fixtures.commitSmall(raid, 15);
    }
    try (RaidStorage raid = raid("reopen", "a", "b").open()) {
      assertEquals(BackendState.DEGRADED, raid.backends().get(1).state());
      assertTrue(raid.backends().get(1).reason().startsWith("missing transactions"));
      assertEquals(15, raid.backends().get(1).lag());

      RecoveryHandle handle = raid.admin().recover("b");
      assertTrue(handle.await(PATIENCE));

      assertEquals(RecoveryPhase.DONE, handle.progress().phase(), handle.progress().toString());
      assertEquals(15, handle.progress().transactionsCopied());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      Tid tid = Fixtures.commit(raid, Oid.of(5), "after recovery");
      raid.newOid();
      assertEquals(RaidStatus.OPTIMAL, raid.status(), "OID counters in step: " + tid);
    }
    Fixtures.assertSameHistory(historyOf("a"), historyOf("b"));
  }
}
