package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.BlockingStorage;
import org.loomraid.backends.remote.RawClient;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Many writers on one client connection: votes waiting for the served storage's commit lock
 * never hold up the commit that releases it, and back-pressure never deadlocks.
 */
@Timeout(120)
class HeadOfLineTest {

  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(20);

  @Test
  void twoHundredWritersOnOneClientAllCommitAndNoCommitWaitsBehindTheVotes() throws Exception {
    Outcomes outcomes = writers(200, 3, StorageServer.DEFAULT_MAX_REQUESTS_PER_CONNECTION);
    outcomes.print("200 writers, default request limit");
    outcomes.assertTruthful();
  }

  @Test
  void sixWritersOverTwoRequestSlotsNeverStallTheLockHolder() throws Exception {
    Outcomes outcomes = writers(6, 10, 2);
    outcomes.print("6 writers, request limit 2");
    outcomes.assertTruthful();
  }

  @Test
  void requestsBeyondTheLimitAreRefusedAtOnceWhileCommitsStillPass() throws Exception {
    MemoryStorage memory = MemoryStorage.create("served");
    BlockingStorage served = new BlockingStorage(memory);
    try (StorageServer server = StorageServer.builder(served).maxRequestsPerConnection(2).start();
        RawClient raw = new RawClient(server.port())) {
      raw.handshake(null);
      raw.frame(1, Op.VOTE.code, vote(7, Oid.of(1), "held"));
      assertEquals(Protocol.STATUS_OK, raw.read().code(), "voted: the commit lock is held");
      served.blockLoads();
      raw.frame(2, Op.LOAD.code, new FrameEncoder(0, 0).writeOid(Oid.of(1)).finishPayload());
      raw.frame(3, Op.LOAD.code, new FrameEncoder(0, 0).writeOid(Oid.of(1)).finishPayload());
      await().atMost(Duration.ofSeconds(10)).until(() -> served.blockedLoads() == 2);
      raw.frame(4, Op.LAST_TRANSACTION.code, new byte[0]); // a third bounded request
      Frame refused = raw.read();
      assertEquals(4, refused.requestId());
      assertEquals(Protocol.STATUS_ERROR, refused.code());
      assertEquals(ErrorType.TOO_MANY_REQUESTS.code, refused.reader().readUnsignedByte());
      raw.frame(5, Op.COMMIT.code, new FrameEncoder(0, 0).writeLong(7).finishPayload());
      Frame committed = raw.read();
      assertEquals(5, committed.requestId(), "the commit was not queued behind the loads");
      assertEquals(Protocol.STATUS_OK, committed.code());
      Tid tid = committed.reader().readTid();
      served.release();
      List<Long> answered = List.of(raw.read().requestId(), raw.read().requestId());
      assertEquals(List.of(2L, 3L), answered.stream().sorted().toList());
      assertEquals(tid, memory.lastTransaction());
    } finally {
      served.close();
    }
  }

  private static byte[] vote(long transactionId, Oid oid, String data) {
    FrameEncoder piece = new FrameEncoder(0, 0);
    piece.writeLong(transactionId).writeBoolean(true).writeTid(Tid.NONE)
        .writeMeta(TransactionMeta.EMPTY);
    piece.writeInt(1).writeOid(oid).writeTid(Tid.NONE)
        .writeBytes(data.getBytes(StandardCharsets.UTF_8));
    return piece.finishPayload();
  }

  /**
   * Runs {@code writers} threads on one client, each committing {@code commits} new revisions of
   * its own object, and collects what each was told.
   */
  private static Outcomes writers(int writers, int commits, int maxRequests) throws Exception {
    Outcomes outcomes = new Outcomes();
    try (MemoryStorage served = MemoryStorage.builder("served").commitLockTimeout(LOCK_TIMEOUT)
            .build();
        StorageServer server = StorageServer.builder(served)
            .maxRequestsPerConnection(maxRequests).start();
        RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
            .callTimeout(LOCK_TIMEOUT.multipliedBy(3)).connect();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Oid oid = Oid.of(1000 + w);
        running.add(pool.submit(() -> write(client, oid, commits, outcomes)));
      }
      for (Future<?> future : running) {
        future.get();
      }
      try (TransactionIterator history = served.transactions(Tid.NONE)) {
        history.forEachRemaining(outcomes::present);
      }
    }
    return outcomes;
  }

  private static Void write(RemoteStorage client, Oid oid, int commits, Outcomes outcomes) {
    Tid serial = Tid.NONE;
    for (int i = 0; i < commits; i++) {
      String value = oid.value() + ":" + i;
      try (StorageTransaction txn = client.begin(TransactionMeta.of("writer", value))) {
        txn.store(oid, serial, value.getBytes(StandardCharsets.UTF_8));
        try {
          txn.vote();
        } catch (RuntimeException e) {
          outcomes.failed(value, e);
          continue;
        }
        long voted = System.nanoTime();
        try {
          serial = txn.commit();
          outcomes.acknowledged(value, serial, System.nanoTime() - voted);
        } catch (CommitOutcomeUnknownException e) {
          outcomes.inDoubt.add(value);
          serial = client.load(oid).serial();
        } catch (RuntimeException e) {
          outcomes.failed(value, e);
        }
      }
    }
    return null;
  }

  /** What the writers were told, and what the storage holds afterwards. */
  private static final class Outcomes {
    final Map<String, Tid> acknowledged = new ConcurrentHashMap<>();
    final Map<String, String> failed = new ConcurrentHashMap<>();
    final List<String> inDoubt = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<String, Tid> present = new HashMap<>();
    final AtomicLong slowestCommitNanos = new AtomicLong();
    final AtomicLong lockTimeouts = new AtomicLong();

    void acknowledged(String value, Tid tid, long commitNanos) {
      acknowledged.put(value, tid);
      slowestCommitNanos.accumulateAndGet(commitNanos, Math::max);
    }

    void failed(String value, RuntimeException e) {
      failed.put(value, e.toString());
      if (e instanceof CommitLockTimeoutException) {
        lockTimeouts.incrementAndGet();
      }
    }

    void present(TransactionRecord record) {
      present.put(record.meta().description(), record.tid());
    }

    void print(String what) {
      System.out.printf("%s: %d acknowledged, %d failed, %d in doubt, %d committed; slowest"
          + " commit after its vote %d ms (lock timeout %d s)%n", what, acknowledged.size(),
          failed.size(), inDoubt.size(), present.size(), slowestCommitNanos.get() / 1_000_000,
          LOCK_TIMEOUT.toSeconds());
    }

    void assertTruthful() {
      acknowledged.forEach((value, tid) ->
          assertEquals(tid, present.get(value), "acknowledged commit " + value + " is present"));
      failed.forEach((value, why) ->
          assertTrue(!present.containsKey(value), value + " was reported failed (" + why
              + ") but committed"));
      assertEquals(0, lockTimeouts.get(), "no vote waited out the commit lock timeout: " + failed);
      assertTrue(slowestCommitNanos.get() < LOCK_TIMEOUT.toNanos() / 2,
          "the lock holder's commit finished well within the lock timeout: "
              + slowestCommitNanos.get() / 1_000_000 + " ms");
      assertEquals(Map.of(), failed, "nothing failed");
    }
  }
}
