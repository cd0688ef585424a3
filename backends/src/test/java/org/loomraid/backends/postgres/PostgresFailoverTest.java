package org.loomraid.backends.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A RAID of a file storage and two PostgreSQL storages loses one database server to an immediate
 * shutdown in the middle of continuous writes: the RAID degrades that backend within its deadline
 * and keeps committing; no acknowledged commit is lost; once the server is started again on the
 * same data directory, recovery brings the backend level, and all three histories are identical.
 */
@Timeout(180)
class PostgresFailoverTest {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** One acknowledged commit: the object it wrote, and what. */
  private record Ack(Oid oid, String data) {}

  @TempDir Path root;

  @Test
  void serverStoppedHardMidWritesIsDegradedThenRecoveredLevel() throws Exception {
    Path fileDirectory = Files.createDirectories(root.resolve("file"));
    String sharedSchema = TestDatabases.freshSchema();
    String killedSchema = TestDatabases.freshSchema();
    Map<Tid, Ack> acknowledged = new ConcurrentHashMap<>();
    Queue<Throwable> writeFailures = new ConcurrentLinkedQueue<>();
    Queue<BackendTransition> degradations = new ConcurrentLinkedQueue<>();
    try (DedicatedServer server = DedicatedServer.start(root.resolve("pgdata"), Map.of())) {
      try (RaidStorage raid = RaidStorage.builder("failover")
          .backend("file", () -> FileStorage.builder(fileDirectory).name("file").open())
          .backend("shared", () -> PostgresStorage.builder(TestDatabases.pool("postgres"))
              .name("shared").schema(sharedSchema).open())
          .backend("stopped", () -> PostgresStorage.builder(server.url("postgres"))
              .credentials("postgres", "").poolSize(3).name("stopped").schema(killedSchema).open())
          .callTimeout(CALL_TIMEOUT)
          .listener(transition -> {
            if (transition.to() == BackendState.DEGRADED) {
              degradations.add(transition);
            }
          })
          .open()) {
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("failover-writer-", 0).factory())) {
          List<Future<?>> running = new ArrayList<>();
          for (int w = 0; w < 2; w++) {
            Oid oid = raid.newOid();
            running.add(writers.submit(() -> write(raid, oid, writing, acknowledged, writeFailures)));
          }
          try {
            await().atMost(PATIENCE).until(() -> acknowledged.size() >= 30 || !writeFailures.isEmpty());
            server.stopImmediately();
            long stoppedAt = System.nanoTime();
            await().atMost(CALL_TIMEOUT.multipliedBy(5)).until(() -> stateOf(raid, "stopped")
                == BackendState.DEGRADED);
            System.out.printf("failover: 'stopped' degraded %d ms after the server stopped (%s)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt),
                reasonOf(raid, "stopped"));
            int atDegradation = acknowledged.size();
            await().atMost(PATIENCE)
                .until(() -> acknowledged.size() >= atDegradation + 20 || !writeFailures.isEmpty());
          } finally {
            writing.set(false);
          }
          for (Future<?> writer : running) {
            writer.get(1, TimeUnit.MINUTES);
          }
        }
        assertEquals(List.of(), List.copyOf(writeFailures), "commits failed while a backend died");
        assertEquals(List.of("stopped"), degradations.stream().map(BackendTransition::name).toList());
        assertEquals(RaidStatus.DEGRADED, raid.status());
        assertAcknowledgedCommitsPresent(raid, acknowledged);

        server.restart();
        RecoveryHandle recovery = raid.admin().recover("stopped");
        assertTrue(recovery.await(PATIENCE), "recovery did not end: " + recovery.progress());
        assertEquals(RaidStatus.OPTIMAL, raid.status(), "after " + recovery.progress());
        write(raid, raid.newOid(), new AtomicBoolean(false), acknowledged, writeFailures);
        assertEquals(List.of(), List.copyOf(writeFailures));
      }
      List<TransactionRecord> file;
      try (Storage storage = FileStorage.builder(fileDirectory).name("file").open()) {
        file = history(storage);
      }
      List<TransactionRecord> shared;
      try (Storage storage = PostgresStorage.builder(TestDatabases.pool("postgres"))
          .schema(sharedSchema).open()) {
        shared = history(storage);
      }
      List<TransactionRecord> stopped;
      try (PostgresStorage reopened = PostgresStorage.builder(server.url("postgres"))
          .credentials("postgres", "").schema(killedSchema).open()) {
        stopped = history(reopened);
        assertAcknowledgedCommitsPresent(reopened, acknowledged);
      }
      assertEquals(file.size(), acknowledged.size(), "the history holds exactly the acknowledged commits");
      assertEquals(file, shared, "the file storage and the surviving database differ");
      assertEquals(file, stopped, "the recovered database differs from the file storage");
    }
  }

  /** Commits to {@code oid} until {@code writing} is false (at least once), recording each ack. */
  private static Void write(Storage raid, Oid oid, AtomicBoolean writing, Map<Tid, Ack> acks,
      Queue<Throwable> failures) {
    Tid serial = Tid.NONE;
    int i = 0;
    do {
      String data = oid.value() + "/" + i++;
      try (StorageTransaction tx = raid.begin(TransactionMeta.of("writer", data))) {
        tx.store(oid, serial, data.getBytes(StandardCharsets.UTF_8));
        tx.vote();
        serial = tx.commit();
        acks.put(serial, new Ack(oid, data));
      } catch (RuntimeException e) {
        failures.add(e);
        return null;
      }
    } while (writing.get());
    return null;
  }

  private static void assertAcknowledgedCommitsPresent(Storage storage, Map<Tid, Ack> acks) {
    for (Map.Entry<Tid, Ack> ack : acks.entrySet()) {
      assertArrayEquals(ack.getValue().data().getBytes(StandardCharsets.UTF_8),
          storage.loadSerial(ack.getValue().oid(), ack.getKey()).data(),
          "acknowledged commit " + ack.getKey() + " in " + storage.name());
    }
  }

  private static List<TransactionRecord> history(Storage storage) {
    try (TransactionIterator records = storage.transactions(Tid.NONE)) {
      List<TransactionRecord> all = new ArrayList<>();
      records.forEachRemaining(all::add);
      return all;
    }
  }

  private static BackendState stateOf(RaidStorage raid, String backend) {
    return raid.backends().stream().filter(b -> b.name().equals(backend)).findFirst()
        .orElseThrow().state();
  }

  private static String reasonOf(RaidStorage raid, String backend) {
    return raid.backends().stream().filter(b -> b.name().equals(backend)).findFirst()
        .orElseThrow().reason();
  }
}
