package org.loomraid.backends.remote.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.CuttableProxy;
import org.loomraid.backends.remote.GatedCommitStorage;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A commit is reported committed, not committed, or in doubt with its tid, and never "failed"
 * when it may have happened; a commit whose connection broke is settled by asking the server.
 */
@Timeout(60)
class InDoubtCommitTest {

  private static final Tid TID = Tid.of(1_000_000);
  private static final Duration GENEROUS = Duration.ofSeconds(10);

  private MemoryStorage memory;
  private GatedCommitStorage gated;
  private StorageServer server;
  private CuttableProxy proxy;

  @BeforeEach
  void start() throws Exception {
    memory = MemoryStorage.builder("served").commitLockTimeout(Duration.ofSeconds(5)).build();
    gated = new GatedCommitStorage(memory);
    server = StorageServer.builder(gated).drainTimeout(Duration.ofMillis(200)).start();
    proxy = new CuttableProxy(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    gated.open();
    proxy.close();
    server.close();
    memory.close();
  }

  @Test
  void commitWithoutAResponseInTimeIsInDoubtWithItsTidAndCanBeResolved() {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(Duration.ofMillis(300)).connect()) {
      StorageTransaction txn = voted(client);
      CommitOutcomeUnknownException doubt =
          assertThrows(CommitOutcomeUnknownException.class, txn::commit);
      assertEquals(TID, doubt.tid());
      assertTrue(doubt.getMessage().contains("isCommitted"), doubt.getMessage());
      gated.open(); // the commit the client gave up on goes through: it was not reported failed
      assertTrue(client.isCommitted(TID), "the server waits for the commit under way");
      assertEquals(TID, memory.lastTransaction());
    }
  }

  @Test
  void commitWhoseConnectionBreaksIsSettledByAskingTheServer() throws Exception {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", proxy.port())
        .callTimeout(GENEROUS).connect()) {
      StorageTransaction txn = voted(client);
      CompletableFuture<Tid> commit = CompletableFuture.supplyAsync(txn::commit,
          Executors.newVirtualThreadPerTaskExecutor());
      await().atMost(GENEROUS).until(() -> gated.waitingCommits() == 1); // at the server
      proxy.cut(); // the response is lost with the connection
      gated.open();
      assertEquals(TID, commit.get(20, TimeUnit.SECONDS), "settled as committed");
      assertEquals(TID, memory.lastTransaction());
    }
  }

  @Test
  void commitLostOnTheWayIsReportedAsNotCommittedNotAsInDoubt() throws Exception {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", proxy.port())
        .callTimeout(GENEROUS).connect()) {
      StorageTransaction txn = voted(client);
      proxy.swallowUpstream();
      CompletableFuture<Tid> commit = CompletableFuture.supplyAsync(txn::commit,
          Executors.newVirtualThreadPerTaskExecutor());
      await().atMost(GENEROUS).until(() -> proxy.swallowedBytes() > 0); // the COMMIT is lost
      proxy.cut();
      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> commit.get(20, TimeUnit.SECONDS));
      UncheckedIOException notCommitted =
          assertInstanceOf(UncheckedIOException.class, failed.getCause());
      assertTrue(notCommitted.getMessage().contains("did not commit"), notCommitted.getMessage());
      assertFalse(client.isCommitted(TID));
      assertEquals(Tid.NONE, memory.lastTransaction());
      gated.open();
      Tid next = Commits.write(client, Oid.of(2), Tid.NONE, "the commit lock is free");
      assertEquals(next, memory.lastTransaction());
    }
  }

  @Test
  void interruptedCommitIsInDoubtAndKeepsTheInterrupt() throws Exception {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(GENEROUS).connect()) {
      StorageTransaction txn = voted(client);
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flag = new AtomicReference<>();
      Thread committer = Thread.ofVirtual().start(() -> {
        try {
          txn.commit();
        } catch (Throwable e) {
          thrown.set(e);
        }
        flag.set(Thread.currentThread().isInterrupted());
      });
      await().atMost(GENEROUS).until(() -> gated.waitingCommits() == 1);
      committer.interrupt();
      assertTrue(committer.join(GENEROUS));
      CommitOutcomeUnknownException doubt =
          assertInstanceOf(CommitOutcomeUnknownException.class, thrown.get());
      assertEquals(TID, doubt.tid());
      assertInstanceOf(StorageInterruptedException.class, doubt.getCause());
      assertTrue(flag.get(), "interrupt flag set again");
      gated.open();
      assertTrue(client.isCommitted(TID));
    }
  }

  @Test
  void outcomeOfAnUnknownTidIsNotCommitted() {
    try (RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      gated.open();
      Tid tid = Commits.write(client, Oid.of(1), Tid.NONE, "x");
      assertTrue(client.isCommitted(tid));
      assertFalse(client.isCommitted(Tid.of(tid.value() - 1)));
      assertFalse(client.isCommitted(Tid.of(tid.value() + 1)));
      assertThrows(IllegalArgumentException.class, () -> client.isCommitted(Tid.NONE));
      assertThrows(IllegalArgumentException.class,
          () -> client.isCommitted(Tid.of(Tid.MAX.value() + 1)));
    }
  }

  private static StorageTransaction voted(RemoteStorage client) {
    StorageTransaction txn = client.begin(TransactionMeta.of("test", "in doubt"), TID);
    txn.store(Oid.of(1), Tid.NONE, Commits.bytes("value"));
    txn.vote();
    return txn;
  }
}
