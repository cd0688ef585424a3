package org.loomraid.backends.remote.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.remote.Commits.bytes;
import static org.loomraid.backends.remote.Commits.text;
import static org.loomraid.backends.remote.Commits.write;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.backends.remote.server.ServerProbe;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.backends.remote.RemoteStorageException;

@Timeout(60)
class RemoteStorageTest {

  private MemoryStorage served;
  private StorageServer server;
  private RemoteStorage client;

  @BeforeEach
  void start() {
    served = MemoryStorage.builder("served").commitLockTimeout(Duration.ofSeconds(5)).build();
    server = StorageServer.builder(served).start();
    client = connect();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
    served.close();
  }

  private RemoteStorage connect() {
    return RemoteStorage.builder("127.0.0.1", server.port())
        .callTimeout(Duration.ofSeconds(20))
        .connect();
  }

  @Test
  void committedDataIsReadBackThroughTheServer() {
    Oid oid = client.newOid();
    Tid tid = write(client, oid, Tid.NONE, "hello");
    assertEquals(tid, client.lastTransaction());
    assertEquals(tid, served.lastTransaction());
    Revision revision = client.load(oid);
    assertEquals(new Revision(oid, tid, bytes("hello")), revision);
    assertEquals(revision, served.load(oid));
    Tid second = write(client, oid, tid, "again");
    assertEquals(revision, client.loadSerial(oid, tid));
    assertEquals(revision, client.loadBefore(oid, second).orElseThrow());
    assertTrue(client.loadBefore(oid, tid).isEmpty());
    assertEquals(served.stats(), client.stats());
  }

  @Test
  void conflictArrivesAsConflictExceptionWithItsSubject() {
    Oid oid = client.newOid();
    Tid first = write(client, oid, Tid.NONE, "one");
    ConflictException conflict = assertThrows(ConflictException.class,
        () -> write(client, oid, Tid.NONE, "stale"));
    assertEquals(oid, conflict.oid());
    assertEquals(Tid.NONE, conflict.expectedSerial());
    assertEquals(first, conflict.actualSerial());
    assertEquals(new ConflictException(oid, Tid.NONE, first).getMessage(), conflict.getMessage());
    assertEquals(first, served.lastTransaction(), "nothing of the conflicting transaction committed");
  }

  @Test
  void notFoundArrivesAsObjectNotFoundExceptionWithItsOid() {
    Oid missing = Oid.of(4242);
    ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class,
        () -> client.load(missing));
    assertEquals(missing, e.oid());
    Tid tid = write(client, client.newOid(), Tid.NONE, "x");
    ObjectNotFoundException serial = assertThrows(ObjectNotFoundException.class,
        () -> client.loadSerial(missing, tid));
    assertEquals(missing, serial.oid());
  }

  @Test
  void staleTidFromTheServerArrivesAsStaleTidExceptionAtTheVote() {
    try (RemoteStorage other = connect()) {
      Tid last = write(other, other.newOid(), Tid.NONE, "moved on");
      // This client has not seen `last`, so the server refuses the tid when the vote reaches it.
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY, Tid.of(last.value() - 1));
      txn.store(Oid.of(1), Tid.NONE, bytes("late"));
      StaleTidException stale = assertThrows(StaleTidException.class, txn::vote);
      assertEquals(Tid.of(last.value() - 1), stale.tid());
      assertEquals(last, stale.lastTransaction());
    }
  }

  @Test
  void staleTidKnownToTheClientIsRefusedAtBegin() {
    Tid last = write(client, client.newOid(), Tid.NONE, "x");
    StaleTidException stale = assertThrows(StaleTidException.class,
        () -> client.begin(TransactionMeta.EMPTY, last));
    assertEquals(last, stale.lastTransaction());
  }

  @Test
  void commitLockTimeoutArrivesAsCommitLockTimeoutException() {
    MemoryStorage quick = MemoryStorage.builder("quick")
        .commitLockTimeout(Duration.ofMillis(200)).build();
    try (StorageServer quickServer = StorageServer.builder(quick).start();
        RemoteStorage a = RemoteStorage.connect("127.0.0.1", quickServer.port());
        RemoteStorage b = RemoteStorage.connect("127.0.0.1", quickServer.port())) {
      StorageTransaction holder = a.begin(TransactionMeta.EMPTY);
      holder.store(Oid.of(1), Tid.NONE, bytes("a"));
      holder.vote();
      StorageTransaction waiter = b.begin(TransactionMeta.EMPTY);
      waiter.store(Oid.of(2), Tid.NONE, bytes("b"));
      CommitLockTimeoutException timeout =
          assertThrows(CommitLockTimeoutException.class, waiter::vote);
      assertEquals(new CommitLockTimeoutException("quick", Duration.ofMillis(200)).getMessage(),
          timeout.getMessage());
      holder.commit();
      assertEquals(1, quick.stats().transactions());
    } finally {
      quick.close();
    }
  }

  @Test
  void failureOfTheServedStorageArrivesAsRemoteStorageExceptionNotAsAnAnswer() {
    served.close();
    RemoteStorageException failure =
        assertThrows(RemoteStorageException.class, () -> client.lastTransaction());
    assertFalse(StorageException.class.isInstance(failure));
    assertEquals(StorageClosedException.class.getName(), failure.remoteType());
    assertTrue(failure.getMessage().contains("'served' is closed"), failure.getMessage());
  }

  @Test
  void transactionLargerThanTheServerLimitIsRefusedAsAnIllegalArgument() {
    try (StorageServer small = StorageServer.builder(served).maxStagedBytes(1000).start();
        RemoteStorage c = RemoteStorage.connect("127.0.0.1", small.port())) {
      assertEquals(1000, c.limits().maxTransactionSize(), "the server announced its limit");
      StorageTransaction txn = c.begin(TransactionMeta.EMPTY);
      LimitExceededException early = assertThrows(LimitExceededException.class,
          () -> txn.store(Oid.of(1), Tid.NONE, new byte[2000]));
      assertEquals("maxTransactionSize", early.limit());
      assertEquals(1000, early.bound());
      // Within the data limit, but over the server's staged bytes (each store's 20-byte overhead
      // counts there): the server refuses it at the vote.
      txn.store(Oid.of(1), Tid.NONE, new byte[490]);
      txn.store(Oid.of(2), Tid.NONE, new byte[490]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, txn::vote);
      assertTrue(e.getMessage().contains("limit of 1000 bytes"), e.getMessage());
      assertEquals(Tid.NONE, served.lastTransaction());
      Tid tid = write(c, Oid.of(1), Tid.NONE, "small is fine");
      assertEquals(tid, served.lastTransaction());
    }
  }

  @Test
  void transactionLargerThanOneFrameIsStagedAndCommittedWhole() {
    byte[] big1 = filled(DataRecord.MAX_DATA_LENGTH, 1);
    byte[] big2 = filled(DataRecord.MAX_DATA_LENGTH, 2);
    Tid tid;
    try (StorageTransaction txn = client.begin(TransactionMeta.of("bulk", "two 16 MiB records"))) {
      txn.store(Oid.of(1), Tid.NONE, big1);
      txn.store(Oid.of(2), Tid.NONE, big2);
      txn.store(Oid.of(3), Tid.NONE, bytes("small"));
      txn.vote();
      tid = txn.commit();
    }
    assertArrayEquals(big2, served.load(Oid.of(2)).data());
    assertArrayEquals(big1, client.load(Oid.of(1)).data());
    try (TransactionIterator history = client.transactions(Tid.NONE)) {
      TransactionRecord record = history.next();
      assertEquals(tid, record.tid());
      assertEquals(3, record.records().size());
      assertArrayEquals(big2, record.records().get(1).data());
      assertFalse(history.hasNext());
    }
  }

  @Test
  void historyStreamsInPagesInTidOrder() {
    List<Tid> tids = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      tids.add(write(client, Oid.of(1 + i % 7), i < 7 ? Tid.NONE : served.load(Oid.of(1 + i % 7))
          .serial(), "value " + i + " " + "x".repeat(3000)));
    }
    try (RemoteStorage paged = RemoteStorage.builder("127.0.0.1", server.port())
            .pageBytes(4096).connect();
        TransactionIterator history = paged.transactions(tids.get(9))) {
      List<Tid> seen = new ArrayList<>();
      try (TransactionIterator local = served.transactions(tids.get(9))) {
        while (history.hasNext()) {
          TransactionRecord record = history.next();
          assertEquals(local.next(), record);
          seen.add(record.tid());
        }
      }
      assertEquals(tids.subList(10, tids.size()), seen);
    }
  }

  @Test
  void historyIteratorClosedEarlyReleasesTheServerCursor() {
    for (int i = 0; i < 30; i++) {
      write(client, client.newOid(), Tid.NONE, "y".repeat(5000));
    }
    try (RemoteStorage paged = RemoteStorage.builder("127.0.0.1", server.port())
        .pageBytes(4096).connect()) {
      // Far more than the server's limit of open cursors per connection: each must be released.
      for (int i = 0; i < ServerProbe.MAX_OPEN_CURSORS * 2; i++) {
        try (TransactionIterator history = paged.transactions(Tid.NONE)) {
          assertTrue(history.hasNext());
          history.next();
        }
      }
      assertEquals(30, count(paged.transactions(Tid.NONE)));
    }
  }

  @Test
  void restoreAppendsTransactionsVerbatim() {
    MemoryStorage source = MemoryStorage.create("source");
    write(source, Oid.of(1), Tid.NONE, "a");
    Tid second = write(source, Oid.of(1), source.load(Oid.of(1)).serial(), "b");
    try (TransactionIterator history = source.transactions(Tid.NONE)) {
      history.forEachRemaining(client::restore);
    }
    assertEquals(second, client.lastTransaction());
    try (TransactionIterator expected = source.transactions(Tid.NONE);
        TransactionIterator actual = client.transactions(Tid.NONE)) {
      while (expected.hasNext()) {
        assertEquals(expected.next(), actual.next());
      }
      assertFalse(actual.hasNext());
    }
    TransactionRecord again = new TransactionRecord(second, TransactionMeta.EMPTY, List.of());
    assertThrows(StaleTidException.class, () -> client.restore(again));
  }

  @Test
  void metadataTravelsVerbatim() {
    TransactionMeta meta = new TransactionMeta("Zoë", "déjà vu ✓",
        Map.of("ticket", "LR-7", "empty", ""));
    try (StorageTransaction txn = client.begin(meta)) {
      txn.store(Oid.of(5), Tid.NONE, new byte[0]);
      txn.vote();
      txn.commit();
    }
    try (TransactionIterator history = client.transactions(Tid.NONE)) {
      assertEquals(meta, history.next().meta());
    }
  }

  @Test
  void oidCountersAndPackTravel() {
    Oid first = client.newOid();
    assertNotEquals(first, client.newOid());
    client.reserveOids(Oid.of(1000));
    assertEquals(Oid.of(1001), client.newOid());
    Tid one = write(client, Oid.of(1), Tid.NONE, "1");
    Tid two = write(client, Oid.of(1), one, "2");
    Tid three = write(client, Oid.of(1), two, "3");
    client.pack(three); // keeps `two`, the newest revision before `three`, and drops `one`
    assertThrows(ObjectNotFoundException.class, () -> client.loadSerial(Oid.of(1), one));
    assertEquals("2", text(client.loadSerial(Oid.of(1), two).data()));
    assertEquals("3", text(client.load(Oid.of(1)).data()));
    assertThrows(IllegalArgumentException.class, () -> client.pack(Tid.NONE));
  }

  @Test
  void voteAndCommitMayRunOnDifferentThreads() throws Exception {
    StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
    txn.store(Oid.of(9), Tid.NONE, bytes("threads"));
    CompletableFuture.runAsync(txn::vote, Executors.newVirtualThreadPerTaskExecutor()).get();
    Tid tid = CompletableFuture.supplyAsync(txn::commit).get();
    assertEquals(tid, served.load(Oid.of(9)).serial());
  }

  @Test
  void manyThreadsPipelineOnOneConnection() throws Exception {
    int threads = 8;
    int commitsEach = 40;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Tid>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Oid oid = Oid.of(100 + t);
        results.add(pool.submit(() -> {
          Tid serial = Tid.NONE;
          for (int i = 0; i < commitsEach; i++) {
            serial = write(client, oid, serial, "thread value " + i);
            assertEquals(serial, client.load(oid).serial());
          }
          return serial;
        }));
      }
      for (int t = 0; t < threads; t++) {
        assertEquals(results.get(t).get(), served.load(Oid.of(100 + t)).serial());
      }
    }
    assertEquals(threads * commitsEach, served.stats().transactions());
  }

  @Test
  void abortAfterVoteReleasesTheCommitLockForOthers() {
    StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
    txn.store(Oid.of(1), Tid.NONE, bytes("aborted"));
    txn.vote();
    txn.abort();
    try (RemoteStorage other = connect()) {
      long start = System.nanoTime();
      Tid tid = write(other, Oid.of(1), Tid.NONE, "committed");
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(waited.compareTo(Duration.ofSeconds(4)) < 0, "waited " + waited);
      assertEquals(tid, served.lastTransaction());
    }
  }

  @Test
  void droppedConnectionAbortsItsVotedTransaction() {
    RemoteStorage dropping = connect();
    StorageTransaction txn = dropping.begin(TransactionMeta.EMPTY);
    txn.store(Oid.of(1), Tid.NONE, bytes("never"));
    txn.vote();
    dropping.close();
    // The server's commit lock times out after 5 s: a vote that succeeds proves it was released.
    Tid tid = write(client, Oid.of(1), Tid.NONE, "after the drop");
    assertEquals(tid, served.lastTransaction());
    assertEquals(1, served.stats().transactions());
    assertThrows(StorageClosedException.class, txn::commit);
  }

  @Test
  void closedClientRefusesCallsButKeepsItsName() {
    client.close();
    client.close();
    assertThrows(StorageClosedException.class, () -> client.load(Oid.of(1)));
    assertThrows(StorageClosedException.class, () -> client.begin(TransactionMeta.EMPTY));
    assertEquals("remote 127.0.0.1:" + server.port(), client.name());
  }

  @Test
  void badArgumentsAreRefusedLocallyWithTheirNames() {
    assertEquals("tid must be a real tid, not Tid.NONE",
        assertThrows(IllegalArgumentException.class,
            () -> client.loadBefore(Oid.of(1), Tid.NONE)).getMessage());
    assertThrows(NullPointerException.class, () -> client.load(null));
    assertThrows(IllegalArgumentException.class, () -> RemoteStorage.builder("h", 0));
    assertThrows(IllegalArgumentException.class,
        () -> RemoteStorage.builder("h", 1).callTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> RemoteStorage.builder("h", 1).secret(new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> StorageServer.builder(served).port(70000));
    assertThrows(IllegalArgumentException.class,
        () -> StorageServer.builder(served).bind("no-such-host.invalid"));
  }

  private static byte[] filled(int length, int value) {
    byte[] data = new byte[length];
    Arrays.fill(data, (byte) value);
    data[length - 1] = (byte) (value + 100);
    return data;
  }

  private static int count(TransactionIterator iterator) {
    try (iterator) {
      int n = 0;
      while (iterator.hasNext()) {
        iterator.next();
        n++;
      }
      return n;
    }
  }
}
