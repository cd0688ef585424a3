package org.loomraid.backends.remote.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.remote.Commits.bytes;
import static org.loomraid.backends.remote.Commits.write;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.backends.remote.wire.FrameIo;
import org.loomraid.backends.remote.wire.Hello;
import org.loomraid.backends.remote.server.ServerProbe;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.backends.remote.BlockingStorage;

/** A client facing servers that hang, go silent, vanish and come back. */
@Timeout(60)
class ClientFailureTest {

  private static final Duration GENEROUS = Duration.ofSeconds(10);

  private MemoryStorage memory;
  private BlockingStorage served;
  private StorageServer server;

  @BeforeEach
  void start() {
    memory = MemoryStorage.builder("served").commitLockTimeout(Duration.ofSeconds(5)).build();
    served = new BlockingStorage(memory);
    server = StorageServer.builder(served).drainTimeout(Duration.ofMillis(200)).start();
  }

  @AfterEach
  void stop() {
    served.release();
    server.close();
    memory.close();
  }

  @Test
  void callReturnsWithinItsTimeoutWhenTheServerStopsAnsweringAndTheConnectionStaysUsable() {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(Duration.ofMillis(500)).connect()) {
      Tid tid = write(client, Oid.of(1), Tid.NONE, "before");
      ClientConnection connection = client.connection(client.deadline());
      served.blockLoads();
      long start = System.nanoTime();
      UncheckedIOException timeout =
          assertThrows(UncheckedIOException.class, () -> client.load(Oid.of(1)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("call with a 500 ms timeout on a hung server returned after %d ms%n",
          took.toMillis());
      assertInstanceOf(SocketTimeoutException.class, timeout.getCause());
      assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "returned early: " + took);
      assertTrue(took.compareTo(GENEROUS) < 0, "took " + took);
      served.release(); // the late response arrives and must be discarded
      await().atMost(GENEROUS).until(() -> served.blockedLoads() == 0);
      assertEquals(tid, client.load(Oid.of(1)).serial());
      assertSame(connection, client.connection(client.deadline()), "same connection, still usable");
    }
  }

  @Test
  void interruptedCallReturnsPromptlyAndLeavesTheConnectionUsable() throws Exception {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(Duration.ofSeconds(30)).connect()) {
      Tid tid = write(client, Oid.of(1), Tid.NONE, "x");
      served.blockLoads();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flagAfter = new AtomicReference<>();
      Thread caller = Thread.ofVirtual().start(() -> {
        try {
          client.load(Oid.of(1));
        } catch (Throwable e) {
          thrown.set(e);
        }
        flagAfter.set(Thread.currentThread().isInterrupted());
      });
      await().atMost(GENEROUS).until(() -> served.blockedLoads() == 1);
      long start = System.nanoTime();
      caller.interrupt();
      assertTrue(caller.join(GENEROUS), "the interrupted call returned");
      System.out.printf("interrupted call returned after %d ms%n",
          Duration.ofNanos(System.nanoTime() - start).toMillis());
      assertInstanceOf(StorageInterruptedException.class, thrown.get());
      assertTrue(flagAfter.get(), "interrupt flag set again");
      served.release();
      assertEquals(tid, client.load(Oid.of(1)).serial());
    }
  }

  @Test
  void interruptedVoteLeavesNoCommitLockBehind() throws Exception {
    try (RemoteStorage holder = RemoteStorage.connect("127.0.0.1", server.port());
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      StorageTransaction holding = holder.begin(TransactionMeta.EMPTY);
      holding.store(Oid.of(1), Tid.NONE, bytes("holder"));
      holding.vote(); // holds the server's commit lock
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread voter = Thread.ofVirtual().start(() -> {
        StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
        txn.store(Oid.of(2), Tid.NONE, bytes("abandoned"));
        try {
          txn.vote();
        } catch (Throwable e) {
          thrown.set(e);
        }
      });
      await().atMost(GENEROUS).until(() -> ServerProbe.activeWork(server) >= 2); // vote waits
      voter.interrupt();
      assertTrue(voter.join(GENEROUS));
      assertInstanceOf(StorageInterruptedException.class, thrown.get());
      holding.commit(); // the abandoned vote now gets the lock at the server, then its abort
      // With the server's 5 s lock timeout, this vote only succeeds if the abandoned one was aborted.
      Tid tid = write(client, Oid.of(3), Tid.NONE, "after");
      assertEquals(tid, memory.lastTransaction());
      assertEquals(2, memory.stats().transactions(), "the abandoned transaction never committed");
    }
  }

  @Test
  void connectTimesOutAgainstAServerThatAcceptsAndNeverAnswers() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      long start = System.nanoTime();
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> RemoteStorage.builder("127.0.0.1", silent.getLocalPort())
              .connectTimeout(Duration.ofMillis(300)).callTimeout(Duration.ofMillis(300))
              .connect());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("connect to a silent server gave up after %d ms%n", took.toMillis());
      assertTrue(took.compareTo(GENEROUS) < 0, "took " + took);
      assertTrue(e.getMessage().contains("127.0.0.1:" + silent.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void callReturnsWithinItsTimeoutWhenAFakeServerSwallowsRequests() throws Exception {
    ServerSocket fake = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread fakeServer = Thread.ofVirtual().start(() -> swallowEverything(fake));
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", fake.getLocalPort())
        .callTimeout(Duration.ofMillis(400)).connect()) {
      long start = System.nanoTime();
      UncheckedIOException e = assertThrows(UncheckedIOException.class, client::lastTransaction);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertInstanceOf(SocketTimeoutException.class, e.getCause());
      assertTrue(took.compareTo(GENEROUS) < 0, "took " + took);
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
      txn.store(Oid.of(1), Tid.NONE, bytes("never answered"));
      assertThrows(UncheckedIOException.class, txn::vote);
    } finally {
      fake.close();
      fakeServer.join(GENEROUS);
    }
  }

  @Test
  void serverRestartedOnTheSamePortIsReconnectedTo() {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(Duration.ofSeconds(5)).connect()) {
      Tid tid = write(client, Oid.of(1), Tid.NONE, "before the restart");
      int port = server.port();
      server.close();
      assertThrows(RuntimeException.class, client::lastTransaction, "no server: a failure");
      server = StorageServer.builder(served).port(port).start();
      assertEquals(tid, client.lastTransaction());
      Tid after = write(client, Oid.of(1), tid, "after the restart");
      assertEquals(after, memory.lastTransaction());
    }
  }

  @Test
  void commitOnALostConnectionIsAFailureNotAnAnswer() {
    try (RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
      txn.store(Oid.of(1), Tid.NONE, bytes("lost"));
      txn.vote();
      assertFalse(server.shutdown(Duration.ofMillis(100)), "a voted transaction stays open");
      RuntimeException failure = assertThrows(RuntimeException.class, txn::commit);
      assertFalse(failure instanceof StorageException, failure.toString());
      assertInstanceOf(UncheckedIOException.class, failure);
      assertEquals(Tid.NONE, memory.lastTransaction(), "the server aborted it");
    }
  }

  /** Completes the handshake like a server, then reads and ignores every request. */
  private static void swallowEverything(ServerSocket fake) {
    try (Socket socket = fake.accept()) {
      InputStream in = socket.getInputStream();
      FrameIo.readPreamble(in);
      Hello hello = new Hello(0, "fake", 64, StorageLimits.DEFAULT, null);
      FrameIo.write(socket.getOutputStream(), hello.encode());
      socket.getOutputStream().flush();
      while (in.read() >= 0) {
        // swallow
      }
    } catch (IOException e) {
      // the test closed the socket
    }
  }
}
