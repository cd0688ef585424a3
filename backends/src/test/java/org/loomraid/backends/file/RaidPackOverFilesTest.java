package org.loomraid.backends.file;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * A RAID over file storages with a large log and fsync on every commit: a pack that outlasts the
 * call timeout several times over, with a commit arriving in the middle of it, leaves every backend
 * in service and the commit on every backend.
 */
class RaidPackOverFilesTest {

  @TempDir Path root;

  @Test
  void aCommitDuringALongPackOfLargeSyncedLogsWaitsAndNoBackendLeavesService() throws Exception {
    List<Path> directories = new ArrayList<>();
    Tid last = Tid.NONE;
    byte[] data = new byte[2048];
    for (String name : List.of("a", "b")) {
      Path directory = Files.createDirectories(root.resolve(name));
      directories.add(directory);
      // A large history, written without syncing to keep the test quick; every object rewritten
      // many times, so the pack has much to drop and to copy.
      try (FileStorage storage = FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.NONE)
          .open()) {
        for (int i = 1; i <= 12_000; i++) {
          storage.restore(new TransactionRecord(Tid.of(1_000_000L + i), TransactionMeta.EMPTY,
              List.of(new DataRecord(Oid.of(1 + i % 200), data))));
        }
        last = storage.lastTransaction();
      }
    }
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    List<FaultyStorage> opened = new CopyOnWriteArrayList<>();
    RaidStorage.Builder builder = RaidStorage.builder("packing")
        .callTimeout(Duration.ofMillis(250)).listener(transitions::add);
    for (int i = 0; i < 2; i++) {
      Path directory = directories.get(i);
      builder.backend(List.of("a", "b").get(i), () -> {
        FaultyStorage counted = FaultyStorage.wrap(
            FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.EVERY_COMMIT).open());
        // The pack of the large log, made to outlast the call timeout four times over whatever
        // the machine's speed: a second before the storage's own pack begins.
        counted.on(Operation.PACK).delay(Duration.ofSeconds(1));
        opened.add(counted);
        return counted;
      });
    }
    try (RaidStorage raid = builder.open()) {
      transitions.clear();
      Tid horizon = last;
      long packStart = System.nanoTime();
      CompletableFuture<Void> pack = CompletableFuture.runAsync(() -> raid.pack(horizon),
          Thread::startVirtualThread);
      await().until(() -> opened.stream().allMatch(s -> s.calls(Operation.PACK) == 1));

      boolean packStillRunning = !pack.isDone();
      Tid committed;
      try (StorageTransaction tx = raid.begin(TransactionMeta.of("t", "during the pack"))) {
        tx.store(Oid.of(9999), Tid.NONE, "new".getBytes(StandardCharsets.UTF_8));
        tx.vote();
        committed = tx.commit();
      }
      pack.get(60, TimeUnit.SECONDS);
      Duration packed = Duration.ofNanos(System.nanoTime() - packStart);
      assertTrue(packed.compareTo(Duration.ofSeconds(1)) > 0, "the pack took " + packed);

      assertTrue(packStillRunning, "the pack ended before the commit came: make the log larger");
      assertEquals(List.of(), transitions, "a backend left service");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertEquals(committed, raid.lastTransaction());
      assertEquals("new", new String(raid.load(Oid.of(9999)).data(), StandardCharsets.UTF_8));
    }
  }
}
