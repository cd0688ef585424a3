package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.remote.Commits.bytes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.Commits;

@Timeout(60)
class GracefulShutdownTest {

  private MemoryStorage served;
  private StorageServer server;

  @BeforeEach
  void start() {
    served = MemoryStorage.builder("served").commitLockTimeout(Duration.ofSeconds(5)).build();
    server = StorageServer.builder(served).start();
  }

  @AfterEach
  void stop() {
    server.close();
    served.close();
  }

  @Test
  void shutdownLetsAnInFlightCommitFinishAndRefusesNewWork() throws Exception {
    try (RemoteStorage writer = RemoteStorage.connect("127.0.0.1", server.port());
        RemoteStorage reader = RemoteStorage.connect("127.0.0.1", server.port())) {
      StorageTransaction txn = writer.begin(TransactionMeta.of("w", "in flight"));
      txn.store(Oid.of(1), Tid.NONE, bytes("committed during shutdown"));
      txn.vote();
      long start = System.nanoTime();
      CompletableFuture<Boolean> shutdown =
          CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(30)));
      await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
      RemoteStorageException refused =
          assertThrows(RemoteStorageException.class, () -> reader.load(Oid.of(1)));
      assertEquals(RemoteStorageException.SHUTTING_DOWN, refused.remoteType());
      assertFalse(shutdown.isDone(), "waits for the voted transaction");
      Tid tid = txn.commit();
      assertTrue(shutdown.get(10, TimeUnit.SECONDS), "drained within its bound");
      System.out.printf("shutdown with one commit in flight took %d ms%n",
          Duration.ofNanos(System.nanoTime() - start).toMillis());
      assertEquals(tid, served.lastTransaction());
      assertEquals(0, server.connectionCount());
    }
  }

  @Test
  void shutdownGivesUpAtItsBoundAndAbortsWhatIsStillOpen() {
    try (RemoteStorage writer = RemoteStorage.connect("127.0.0.1", server.port())) {
      StorageTransaction txn = writer.begin(TransactionMeta.EMPTY);
      txn.store(Oid.of(1), Tid.NONE, bytes("never committed"));
      txn.vote();
      long start = System.nanoTime();
      assertFalse(server.shutdown(Duration.ofMillis(300)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
      assertThrows(RuntimeException.class, txn::commit);
      // The aborted transaction released the commit lock: a local commit gets it at once.
      Tid tid = Commits.write(served, Oid.of(1), Tid.NONE, "local");
      assertEquals(tid, served.lastTransaction());
      assertEquals(1, served.stats().transactions());
    }
  }

  @Test
  void shutdownIsIdempotent() {
    assertTrue(server.shutdown(Duration.ofSeconds(1)));
    assertTrue(server.shutdown(Duration.ofSeconds(1)));
    server.close();
    assertThrows(IllegalArgumentException.class, () -> server.shutdown(Duration.ZERO));
  }
}
