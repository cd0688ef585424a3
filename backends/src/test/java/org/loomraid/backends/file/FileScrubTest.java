package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.RecoveryPhase;
import org.loomraid.raid.ScrubFinding;
import org.loomraid.raid.ScrubHandle;
import org.loomraid.raid.ScrubPhase;
import org.loomraid.raid.ScrubProgress;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;

/**
 * Scrub over FileStorage backends: a backend whose first instance serves one old transaction
 * altered is found, named and repaired by reopening it, while writers commit, and the files of
 * every backend end identical.
 */
class FileScrubTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path root;

  private Path dir(String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Storage open(Path directory) {
    return FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.NONE).open();
  }

  @Test
  void aFileBackendServingAlteredDataIsRepairedWhileWritersCommit() throws Exception {
    AtomicInteger opensOfC = new AtomicInteger();
    AtomicReference<FaultyStorage> firstC = new AtomicReference<>();
    Path a = dir("a");
    Path b = dir("b");
    Path c = dir("c");
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    ScrubProgress p;
    try (RaidStorage raid = RaidStorage.builder("files")
        .backend("a", () -> open(a))
        .backend("b", () -> open(b))
        .backend("c", () -> {
          Storage instance = open(c);
          if (opensOfC.getAndIncrement() > 0) {
            return instance;
          }
          FaultyStorage faulty = FaultyStorage.wrap(instance);
          firstC.set(faulty);
          return faulty;
        })
        .open()) {
      List<Tid> tids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        try (StorageTransaction tx = raid.begin(TransactionMeta.of("t", "tx " + i))) {
          tx.store(Oid.of(1000 + i), Tid.NONE, ("value " + i).getBytes());
          tx.vote();
          tids.add(tx.commit());
        }
      }
      Tid old = tids.get(42);
      firstC.get().corrupt(old, r -> new TransactionRecord(r.tid(), r.meta(),
          List.of(new DataRecord(Oid.of(1042), "rotten".getBytes()))));
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer = Thread.ofVirtual().start(() -> {
        Tid serial = Tid.NONE;
        while (!stop.get()) {
          try (StorageTransaction tx = raid.begin(TransactionMeta.of("w", "during the scrub"))) {
            tx.store(Oid.of(5), serial, "write".getBytes());
            tx.vote();
            serial = tx.commit();
          } catch (RuntimeException e) {
            errors.add(e);
            return;
          }
        }
      });

      ScrubHandle scrub = raid.admin().scrub(true);
      assertTrue(scrub.await(PATIENCE), scrub.progress().toString());
      stop.set(true);
      writer.join();
      p = scrub.progress();
      System.out.printf("file scrub: %d transactions in %s; repair %s in %s; %d commits"
          + " meanwhile%n",
          p.transactionsCompared(), p.elapsed(), p.repairs().get(0).phase(),
          p.repairs().get(0).elapsed(), raid.stats().transactions() - 200);

      assertEquals(List.of(), List.copyOf(errors), "no writer failed");
      assertEquals(ScrubPhase.DONE, p.phase(), p.failure());
      ScrubFinding found = p.findings().get(0);
      assertEquals(ScrubFinding.Kind.DIVERGED, found.kind());
      assertEquals(List.of("c"), found.backends());
      assertEquals(old, found.tid());
      assertEquals(RecoveryPhase.DONE, p.repairs().get(0).phase(), p.repairs().get(0).failure());
      assertEquals(BackendState.OPTIMAL, raid.backends().get(2).state());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      ScrubHandle again = raid.admin().scrub();
      assertTrue(again.await(PATIENCE));
      assertTrue(again.progress().consistent(), again.progress().toString());
    }
    List<TransactionRecord> expected = history(a);
    assertEquals(expected, history(b));
    assertEquals(expected, history(c));
    assertEquals(2, opensOfC.get(), "c was reopened once, by its repair");
  }

  private static List<TransactionRecord> history(Path directory) {
    try (Storage storage = open(directory)) {
      return Fixtures.history(storage);
    }
  }
}
