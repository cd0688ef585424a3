package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.GatedCommitStorage;
import org.loomraid.backends.remote.RawClient;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** The server decides each transaction's fate once: aborts and outcome queries never race a commit. */
@Timeout(60)
class CommitOutcomeTest {

  private static final Tid TID = Tid.of(1_000_000);
  private static final Duration GENEROUS = Duration.ofSeconds(10);

  private MemoryStorage memory;
  private GatedCommitStorage gated;
  private StorageServer server;

  @BeforeEach
  void start() {
    memory = MemoryStorage.builder("served").commitLockTimeout(Duration.ofSeconds(5)).build();
    gated = new GatedCommitStorage(memory);
    server = StorageServer.builder(gated).start();
  }

  @AfterEach
  void stop() {
    gated.open();
    server.close();
    memory.close();
  }

  @Test
  void abortThatFollowsACommitWaitsForAndReportsTheCommit() throws IOException {
    try (RawClient raw = new RawClient(server.port())) {
      raw.handshake(null);
      vote(raw, 1, 7, TID);
      raw.frame(2, Op.COMMIT.code, transactionId(7));
      raw.frame(3, Op.ABORT.code, transactionId(7)); // a client that gave up on its commit
      await().atMost(GENEROUS).until(() -> gated.waitingCommits() == 1);
      gated.open();
      List<Frame> answers = Stream.of(raw.read(), raw.read())
          .sorted(Comparator.comparingLong(Frame::requestId)).toList();
      assertEquals(Protocol.STATUS_OK, answers.get(0).code());
      assertEquals(TID, answers.get(0).reader().readTid());
      PayloadReader abort = answers.get(1).reader();
      assertEquals(Protocol.STATUS_OK, answers.get(1).code());
      assertEquals(Protocol.OUTCOME_COMMITTED, abort.readUnsignedByte(), "the abort reports it");
      assertEquals(TID, abort.readTid());
      assertEquals(TID, memory.lastTransaction());
    }
  }

  @Test
  void abortOfAVotedTransactionReportsItDidNotCommit() throws IOException {
    try (RawClient raw = new RawClient(server.port())) {
      raw.handshake(null);
      vote(raw, 1, 7, TID);
      raw.frame(2, Op.ABORT.code, transactionId(7));
      Frame abort = raw.read();
      assertEquals(Protocol.STATUS_OK, abort.code());
      assertEquals(Protocol.OUTCOME_NOT_COMMITTED, abort.reader().readUnsignedByte());
      raw.frame(3, Op.COMMIT.code, transactionId(7));
      Frame commit = raw.read();
      assertEquals(Protocol.STATUS_ERROR, commit.code(), "aborted is final");
      assertEquals(Tid.NONE, memory.lastTransaction());
    }
  }

  @Test
  void outcomeQueryAbortsATransactionWhoseCommitNeverCame() throws IOException {
    try (RawClient owner = new RawClient(server.port());
        RawClient asker = new RawClient(server.port())) {
      owner.handshake(null);
      asker.handshake(null);
      vote(owner, 1, 7, TID); // holds the commit lock; the owner goes quiet
      asker.frame(1, Op.OUTCOME.code, new FrameEncoder(0, 0).writeTid(TID).finishPayload());
      Frame outcome = asker.read();
      assertEquals(Protocol.STATUS_OK, outcome.code());
      assertEquals(Protocol.OUTCOME_NOT_COMMITTED, outcome.reader().readUnsignedByte());
      owner.frame(2, Op.COMMIT.code, transactionId(7));
      Frame late = owner.read();
      assertEquals(Protocol.STATUS_ERROR, late.code(), "a COMMIT after the answer is refused");
      assertEquals(ErrorType.PROTOCOL.code, late.reader().readUnsignedByte());
      assertEquals(Tid.NONE, memory.lastTransaction());
      gated.open();
      Tid next = Commits.write(memory, Oid.of(2), Tid.NONE, "the commit lock was released");
      assertEquals(next, memory.lastTransaction());
    }
  }

  @Test
  void droppedConnectionLetsACommitItSentFinish() throws IOException {
    try (RawClient raw = new RawClient(server.port())) {
      raw.handshake(null);
      vote(raw, 1, 7, TID);
      raw.frame(2, Op.COMMIT.code, transactionId(7));
      await().atMost(GENEROUS).until(() -> gated.waitingCommits() == 1);
    } // the connection is gone before the commit finished
    gated.open();
    await().atMost(GENEROUS).until(() -> memory.lastTransaction().equals(TID));
  }

  private static void vote(RawClient raw, long requestId, long transactionId, Tid tid)
      throws IOException {
    FrameEncoder piece = new FrameEncoder(0, 0);
    piece.writeLong(transactionId).writeBoolean(true).writeTid(tid)
        .writeMeta(TransactionMeta.of("raw", "outcome"));
    piece.writeInt(1).writeOid(Oid.of(1)).writeTid(Tid.NONE)
        .writeBytes("value".getBytes(StandardCharsets.UTF_8));
    raw.frame(requestId, Op.VOTE.code, piece.finishPayload());
    Frame voted = raw.read();
    assertEquals(Protocol.STATUS_OK, voted.code(), "voted");
  }

  private static byte[] transactionId(long id) {
    return new FrameEncoder(0, 0).writeLong(id).finishPayload();
  }
}
