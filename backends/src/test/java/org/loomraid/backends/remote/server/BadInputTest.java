package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.Tid;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.ErrorCodec;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.RawClient;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.CapturedWarnings;

/**
 * Every kind of bad input the server must refuse, one parameter each, against one server that
 * requires a shared secret: each bad connection is refused as documented (closed with one WARN
 * line, after an error frame where the protocol gives one), while a well-behaved client keeps
 * being served on its own connection and the stored data stays exactly as that client left it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class BadInputTest {

  private static final byte[] SECRET = "a shared secret of some length".getBytes(StandardCharsets.UTF_8);
  private static final Oid OID = Oid.of(1);

  private MemoryStorage served;
  private StorageServer server;
  private RemoteStorage goodClient;
  private CapturedWarnings warnings;
  private Tid lastGoodWrite = Tid.NONE;
  private int goodWrites;
  private final AtomicInteger refused = new AtomicInteger();

  /** What a bad connection sends, and how the server must refuse it. */
  enum BadInput {
    RANDOM_BYTES_INSTEAD_OF_PREAMBLE(Refusal.CLOSE, "bad magic") {
      @Override
      void send(RawClient raw) throws IOException {
        byte[] noise = random(256);
        noise[0] = 0x00;
        raw.send(noise);
      }
    },
    RANDOM_BYTES_AFTER_HANDSHAKE(Refusal.CLOSE, "") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(random(4096));
        raw.endOutput();
      }
    },
    TRUNCATED_PREAMBLE(Refusal.CLOSE, "preamble truncated") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.send(new byte[] {'L', 'M', 'R'});
        raw.endOutput();
      }
    },
    TRUNCATED_LENGTH_FIELD(Refusal.CLOSE, "truncated frame") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {0, 0});
        raw.endOutput();
      }
    },
    TRUNCATED_PAYLOAD(Refusal.CLOSE, "truncated frame") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {0, 0, 0, 100});
        raw.send(new byte[50]);
        raw.endOutput();
      }
    },
    FRAME_STALLED_HALFWAY(Refusal.CLOSE, "not completed within") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {0, 0, 0, 100, 0, 0, 0});
      }
    },
    FRAME_CLAIMING_TWO_GIGABYTES(Refusal.CLOSE, "exceeds the limit") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
      }
    },
    FRAME_WITH_NEGATIVE_LENGTH(Refusal.CLOSE, "below the header size") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
      }
    },
    FRAME_SHORTER_THAN_ITS_HEADER(Refusal.CLOSE, "below the header size") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.send(new byte[] {0, 0, 0, 3, 1, 2, 3});
      }
    },
    WRONG_PROTOCOL_VERSION(Refusal.ERROR_THEN_CLOSE, "protocol version 99") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.preamble(99);
      }

      @Override
      ErrorType error() {
        return ErrorType.VERSION_MISMATCH;
      }
    },
    WRONG_SECRET(Refusal.ERROR_THEN_CLOSE, "wrong shared secret") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake("not the secret at all, no".getBytes(StandardCharsets.UTF_8), false);
      }

      @Override
      ErrorType error() {
        return ErrorType.AUTHENTICATION_FAILED;
      }
    },
    REQUEST_BEFORE_AUTHENTICATING(Refusal.CLOSE, "expected AUTH") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.hello();
        raw.frame(1, Op.LOAD.code, new FrameEncoder(0, 0).writeOid(OID).finishPayload());
      }
    },
    OVERSIZED_FRAME_BEFORE_AUTHENTICATING(Refusal.CLOSE, "exceeds the limit of 4096") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.hello();
        raw.frame(0, Op.AUTH.code, new byte[5000]);
      }
    },
    UNKNOWN_OPERATION(Refusal.CLOSE, "unknown operation code 0x7f") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, 0x7F, new byte[0]);
      }
    },
    AUTHENTICATION_AFTER_HANDSHAKE(Refusal.CLOSE, "only valid during the handshake") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.AUTH.code, new byte[64]);
      }
    },
    PAYLOAD_TOO_SHORT(Refusal.CLOSE, "payload ends before") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.LOAD.code, new byte[3]);
      }
    },
    TRAILING_BYTES(Refusal.CLOSE, "trailing bytes") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.LAST_TRANSACTION.code, new byte[5]);
      }
    },
    NEGATIVE_OID(Refusal.CLOSE, "must not be negative") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.LOAD.code, new FrameEncoder(0, 0).writeLong(-5).finishPayload());
      }
    },
    INVALID_UTF8_IN_METADATA(Refusal.CLOSE, "not valid UTF-8") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        FrameEncoder vote = new FrameEncoder(0, 0);
        vote.writeLong(7).writeBoolean(true).writeTid(Tid.NONE);
        vote.writeBytes(new byte[] {(byte) 0xC3, 0x28}).writeString("").writeInt(0);
        vote.writeInt(0);
        raw.frame(1, Op.VOTE.code, vote.finishPayload());
      }
    },
    STORE_COUNT_BEYOND_THE_PAYLOAD(Refusal.CLOSE, "does not fit") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        FrameEncoder vote = new FrameEncoder(0, 0);
        vote.writeLong(7).writeBoolean(true).writeTid(Tid.NONE);
        vote.writeString("").writeString("").writeInt(0);
        vote.writeInt(1_000_000);
        raw.frame(1, Op.VOTE.code, vote.finishPayload());
      }
    },
    DATA_LONGER_THAN_ALLOWED(Refusal.CLOSE, "outside 0..16777216") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        FrameEncoder vote = new FrameEncoder(0, 0);
        vote.writeLong(7).writeBoolean(true).writeTid(Tid.NONE);
        vote.writeString("").writeString("").writeInt(0);
        vote.writeInt(1).writeOid(OID).writeTid(Tid.NONE).writeInt(Integer.MAX_VALUE);
        raw.frame(1, Op.VOTE.code, vote.finishPayload());
      }
    },
    STAGE_WITHOUT_HEADER(Refusal.CLOSE, "has no header") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.STAGE.code,
            new FrameEncoder(0, 0).writeLong(7).writeBoolean(false).writeInt(0).finishPayload());
      }
    },
    COMMIT_OF_UNKNOWN_TRANSACTION(Refusal.ERROR_CONNECTION_KEPT, "") {
      @Override
      void send(RawClient raw) throws IOException {
        raw.handshake(SECRET);
        raw.frame(1, Op.COMMIT.code, new FrameEncoder(0, 0).writeLong(999).finishPayload());
      }

      @Override
      ErrorType error() {
        return ErrorType.PROTOCOL;
      }
    };

    final Refusal refusal;
    final String logged;

    BadInput(Refusal refusal, String logged) {
      this.refusal = refusal;
      this.logged = logged;
    }

    abstract void send(RawClient raw) throws IOException;

    ErrorType error() {
      return null;
    }

    private static byte[] random(int length) {
      byte[] bytes = new byte[length];
      new Random(length).nextBytes(bytes);
      return bytes;
    }
  }

  enum Refusal { CLOSE, ERROR_THEN_CLOSE, ERROR_CONNECTION_KEPT }

  @BeforeAll
  void start() {
    served = MemoryStorage.create("served");
    server = StorageServer.builder(served)
        .secret(SECRET)
        .frameTimeout(Duration.ofMillis(500))
        .start();
    goodClient = RemoteStorage.builder("127.0.0.1", server.port()).secret(SECRET).connect();
    warnings = new CapturedWarnings(ServerConnection.class);
    writeAsAGoodClient();
  }

  @AfterAll
  void stop() {
    System.out.printf("bad input: %d of %d cases refused as documented%n", refused.get(),
        BadInput.values().length);
    assertEquals(BadInput.values().length, refused.get());
    warnings.close();
    goodClient.close();
    server.close();
    served.close();
  }

  @ParameterizedTest
  @EnumSource(BadInput.class)
  void badInputIsRefusedWhileOthersAreServed(BadInput input) throws IOException {
    warnings.clear();
    StorageStats before = served.stats();
    try (RawClient raw = new RawClient(server.port())) {
      input.send(raw);
      writeAsAGoodClient(); // served on its own connection while the bad one is open
      List<Frame> frames;
      if (input.refusal == Refusal.ERROR_CONNECTION_KEPT) {
        frames = List.of(raw.read());
        raw.frame(2, Op.LAST_TRANSACTION.code, new byte[0]);
        Frame answer = raw.read();
        assertEquals(Protocol.STATUS_OK, answer.code(), "the connection still serves");
        assertEquals(lastGoodWrite, answer.reader().readTid());
      } else {
        frames = raw.framesUntilClosed();
      }
      assertRefusal(input, frames);
    }
    if (input.refusal != Refusal.ERROR_CONNECTION_KEPT) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !warnings.lines().isEmpty());
      assertEquals(1, warnings.lines().size(), "one line per refused connection: " + warnings.lines());
      assertTrue(warnings.lines().get(0).contains(input.logged), warnings.lines().get(0));
    } else {
      assertEquals(List.of(), warnings.lines());
    }
    writeAsAGoodClient();
    assertEquals(before.transactions() + 2, served.stats().transactions());
    assertEquals(goodWrites, served.stats().transactions(), "only the good client's commits");
    Revision current = served.load(OID);
    assertEquals(lastGoodWrite, current.serial());
    assertEquals("good write " + goodWrites, Commits.text(current.data()));
    refused.incrementAndGet();
  }

  private void assertRefusal(BadInput input, List<Frame> frames) throws IOException {
    if (input.refusal == Refusal.CLOSE) {
      assertEquals(List.of(), frames, "closed without a response");
      return;
    }
    assertEquals(1, frames.size(), "exactly one error frame");
    Frame error = frames.get(0);
    assertEquals(Protocol.STATUS_ERROR, error.code());
    assertEquals(input.error().code, error.reader().readUnsignedByte());
    RuntimeException decoded = ErrorCodec.decode(error.reader());
    assertTrue(decoded instanceof RemoteStorageException, decoded.toString());
  }

  private void writeAsAGoodClient() {
    goodWrites++;
    lastGoodWrite = Commits.write(goodClient, OID, lastGoodWrite, "good write " + goodWrites);
    assertEquals(lastGoodWrite, goodClient.load(OID).serial());
    assertEquals("good write " + goodWrites, Commits.text(goodClient.load(OID).data()));
  }
}
