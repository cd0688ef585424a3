package org.loomraid.backends;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.WriteMode;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** The README's usage example, kept here so it compiles and runs with every build. */
class ReadmeExampleTest {

  @Test
  void readmeUsageExampleWorks(@TempDir Path root) throws IOException {
    Path dirA = Files.createDirectory(root.resolve("a"));
    Path dirB = Files.createDirectory(root.resolve("b"));
    Path dirC = Files.createDirectory(root.resolve("c"));
    // --- README example starts ---
    try (RaidStorage raid = RaidStorage.builder("main")
        .backend("a", () -> FileStorage.open(dirA))   // existing directories; openers, so a
        .backend("b", () -> FileStorage.open(dirB))   // backend can be reopened later
        .backend("c", () -> FileStorage.open(dirC))
        .writeMode(WriteMode.PARALLEL)                 // the default; SEQUENTIAL is the baseline
        .callTimeout(Duration.ofSeconds(5))            // one deadline per write phase
        .open()) {
      Oid oid = raid.newOid();
      try (StorageTransaction tx = raid.begin(TransactionMeta.of("alice", "first write"))) {
        tx.store(oid, Tid.NONE, "hello".getBytes(StandardCharsets.UTF_8)); // NONE: a new object
        tx.vote();                                     // every backend votes, in parallel
        Tid tid = tx.commit();                         // every backend commits under this tid
        System.out.println("committed " + tid + ", RAID is " + raid.status());
      }
      Revision current = raid.load(oid);               // read from one optimal backend
      System.out.println(new String(current.data(), StandardCharsets.UTF_8));
      // --- README example ends ---
      assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), current.data());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertEquals(3, raid.backends().size());
    }
  }

  @Test
  void readmeRecoveryExampleWorks() throws InterruptedException {
    try (RaidStorage raid = RaidStorage.builder("ops")
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> MemoryStorage.create("b"))
        .open()) {
      raid.admin().disable("b");
      assertEquals(RaidStatus.DEGRADED, raid.status());
      // --- README recovery example starts ---
      RecoveryHandle handle = raid.admin().recover("b");  // returns at once; runs on its own virtual thread
      System.out.println(handle.progress());              // phase, transactions and bytes copied, rate
      handle.await(Duration.ofMinutes(10));               // or handle.cancel()
      // --- README recovery example ends ---
      assertTrue(handle.isDone());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }
}
