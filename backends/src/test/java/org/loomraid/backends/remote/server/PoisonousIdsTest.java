package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.backends.remote.DelegatingStorage;
import org.loomraid.backends.remote.RawClient;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Ids at the top of the range cannot poison a served storage: the server refuses them with a
 * clear error frame before the storage is called, the connection goes on, and the storage is as it
 * was; the client refuses them before sending.
 */
@Timeout(60)
class PoisonousIdsTest {

  private static final long TOP = Long.MAX_VALUE;

  /** A request with an id beyond the end of its id space, and what the refusal must name. */
  enum Poison {
    RESERVE_OIDS_AT_LONG_MAX(Op.RESERVE_OIDS, "Oid.MAX") {
      @Override
      byte[] payload() {
        return new FrameEncoder(0, 0).writeLong(TOP).finishPayload();
      }
    },
    RESERVE_OIDS_JUST_ABOVE_OID_MAX(Op.RESERVE_OIDS, "Oid.MAX") {
      @Override
      byte[] payload() {
        return new FrameEncoder(0, 0).writeLong(Oid.MAX.value() + 1).finishPayload();
      }
    },
    VOTE_AT_TID_LONG_MAX(Op.VOTE, "Tid.MAX") {
      @Override
      byte[] payload() {
        return piece(TOP, 1);
      }
    },
    VOTE_JUST_ABOVE_TID_MAX(Op.VOTE, "Tid.MAX") {
      @Override
      byte[] payload() {
        return piece(Tid.MAX.value() + 1, 1);
      }
    },
    VOTE_STORING_AN_OID_ABOVE_OID_MAX(Op.VOTE, "Oid.MAX") {
      @Override
      byte[] payload() {
        return piece(0, TOP);
      }
    },
    RESTORE_AT_TID_LONG_MAX(Op.RESTORE, "Tid.MAX") {
      @Override
      byte[] payload() {
        return piece(TOP, 1);
      }
    };

    final Op op;
    final String named;

    Poison(Op op, String named) {
      this.op = op;
      this.named = named;
    }

    abstract byte[] payload();

    private static long transactionIds = 100;

    static byte[] piece(long tid, long oid) {
      FrameEncoder piece = new FrameEncoder(0, 0);
      piece.writeLong(transactionIds++).writeBoolean(true).writeLong(tid)
          .writeMeta(TransactionMeta.of("poison", "top of the range"));
      piece.writeInt(1).writeLong(oid).writeTid(Tid.NONE)
          .writeBytes("poison".getBytes(StandardCharsets.UTF_8));
      return piece.finishPayload();
    }
  }

  private MemoryStorage memory;
  private SpyStorage served;
  private StorageServer server;

  @BeforeEach
  void start() {
    memory = MemoryStorage.create("served");
    served = new SpyStorage(memory);
    server = StorageServer.builder(served).start();
  }

  @AfterEach
  void stop() {
    server.close();
    memory.close();
  }

  @ParameterizedTest
  @EnumSource(Poison.class)
  void serverRefusesWithAClearErrorAndLeavesTheStorageAsItWas(Poison poison) throws IOException {
    Oid nextOid = memory.newOid();
    try (RawClient raw = new RawClient(server.port())) {
      raw.handshake(null);
      raw.frame(1, poison.op.code, poison.payload());
      Frame refused = raw.read();
      assertEquals(Protocol.STATUS_ERROR, refused.code());
      PayloadReader error = refused.reader();
      assertEquals(ErrorType.ILLEGAL_ARGUMENT.code, error.readUnsignedByte());
      String message = error.readString();
      assertTrue(message.contains(poison.named), message);
      raw.frame(2, Op.LAST_TRANSACTION.code, new byte[0]);
      Frame answer = raw.read();
      assertEquals(Protocol.STATUS_OK, answer.code(), "the connection goes on");
      assertEquals(Tid.NONE, answer.reader().readTid());
    }
    assertEquals(List.of(), served.mutations(), "the storage was never asked");
    assertEquals(Tid.NONE, memory.lastTransaction());
    assertEquals(Oid.of(nextOid.value() + 1), memory.newOid(), "the OID counter did not move");
  }

  @Test
  void clientRefusesTheSameIdsBeforeSending() {
    try (RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      IllegalArgumentException oid = assertThrows(IllegalArgumentException.class,
          () -> client.reserveOids(Oid.of(TOP)));
      assertTrue(oid.getMessage().contains("Oid.MAX"), oid.getMessage());
      IllegalArgumentException tid = assertThrows(IllegalArgumentException.class,
          () -> client.begin(TransactionMeta.EMPTY, Tid.of(TOP)));
      assertTrue(tid.getMessage().contains("Tid.MAX"), tid.getMessage());
      TransactionRecord record = new TransactionRecord(Tid.of(TOP), TransactionMeta.EMPTY,
          List.of(new DataRecord(Oid.of(1), new byte[1])));
      assertThrows(IllegalArgumentException.class, () -> client.restore(record));
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
      assertThrows(IllegalArgumentException.class,
          () -> txn.store(Oid.of(TOP), Tid.NONE, new byte[1]));
      txn.abort();
      assertEquals(List.of(), served.mutations(), "nothing reached the server's storage");
      assertEquals(Tid.NONE, client.lastTransaction());
    }
  }

  /** Records every call that could change the storage's ids. */
  private static final class SpyStorage extends DelegatingStorage {
    private final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

    SpyStorage(Storage delegate) {
      super(delegate);
    }

    List<String> mutations() {
      return List.copyOf(calls);
    }

    @Override
    public void reserveOids(Oid through) {
      calls.add("reserveOids " + through);
      super.reserveOids(through);
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta) {
      calls.add("begin");
      return super.begin(meta);
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta, Tid tid) {
      calls.add("begin " + tid);
      return super.begin(meta, tid);
    }

    @Override
    public void restore(TransactionRecord record) {
      calls.add("restore " + record.tid());
      super.restore(record);
    }
  }
}
