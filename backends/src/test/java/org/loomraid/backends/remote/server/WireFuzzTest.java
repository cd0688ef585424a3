package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.CapturedWarnings;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.FrameIo;
import org.loomraid.backends.remote.wire.Hello;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.SharedSecret;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A bounded, seeded wire fuzz: mutated bytes before the handshake (the preamble), during
 * authentication (the AUTH frame) and after it (request frames built from valid templates, then
 * mutated), each on a fresh connection to a server that requires a secret. After every input: a
 * fresh client is served (it connects, reads and commits), the data changed only through commits
 * and restores the input contained, no server thread died, and nothing logged an ERROR.
 *
 * <p>Replay a run with {@code -Dloomraid.fuzz.seed=SEED}; {@code -Dloomraid.fuzz.inputs=N} sets
 * the number of inputs (default 1200) and {@code -Dloomraid.fuzz.seconds=S} the time budget that
 * stops a run early (default 40 s).
 */
@Timeout(120)
class WireFuzzTest {

  private static final byte[] SECRET =
      "the fuzz test's shared secret".getBytes(StandardCharsets.UTF_8);
  private static final int GOOD_OBJECTS = 5;
  private static final Duration BUDGET =
      Duration.ofSeconds(Long.getLong("loomraid.fuzz.seconds", 40));

  private enum Stage { PREAMBLE, AUTH, REQUESTS }

  private final long seed = Long.getLong("loomraid.fuzz.seed", new Random().nextLong());
  private final int inputs = Integer.getInteger("loomraid.fuzz.inputs", 1200);
  private final Random random = new Random(seed);
  private final Map<Stage, Integer> perStage = new HashMap<>();
  private long nextTransactionId = 1;
  private long nextRequestId = 1;
  private int fuzzedCommits;

  @Test
  void mutatedFramesNeverHurtTheServerOrTheData() throws Exception {
    System.out.printf("wire fuzz: seed %d (replay with -Dloomraid.fuzz.seed=%d)%n", seed, seed);
    long started = System.nanoTime();
    int done = 0;
    try (MemoryStorage storage = MemoryStorage.builder("fuzzed")
            .commitLockTimeout(Duration.ofSeconds(5)).build();
        StorageServer server = StorageServer.builder(storage).secret(SECRET)
            .handshakeTimeout(Duration.ofSeconds(2)).frameTimeout(Duration.ofMillis(500))
            .drainTimeout(Duration.ofSeconds(2)).start();
        CapturedWarnings log = new CapturedWarnings("org.loomraid.backends.remote", true)) {
      Map<Oid, Revision> good = new HashMap<>();
      for (int i = 1; i <= GOOD_OBJECTS; i++) {
        goodWrite(server, storage, good, Oid.of(i));
      }
      Tid checked = storage.lastTransaction();
      List<TransactionRecord> history = history(storage, Tid.NONE);
      for (; done < inputs && System.nanoTime() - started < BUDGET.toNanos(); done++) {
        Stage stage = Stage.values()[random.nextInt(Stage.values().length)];
        perStage.merge(stage, 1, Integer::sum);
        String input = "input " + done + " (" + stage + ", seed " + seed + ")";
        boolean mayCommit = send(server.port(), stage);
        // The connection is closed; what it started (a commit under way) finishes on its own.
        await(input + " settled").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> server.connectionCount() == 0 && ServerProbe.activeWork(server) == 0);
        List<TransactionRecord> added = history(storage, checked);
        if (!added.isEmpty() && !mayCommit) {
          fail(input + " held no COMMIT or RESTORE, yet the storage gained " + added);
        }
        fuzzedCommits += added.size();
        for (TransactionRecord record : added) {
          for (DataRecord data : record.records()) {
            good.computeIfPresent(data.oid(), (oid, was) -> storage.load(oid));
          }
        }
        history.addAll(added);
        for (Map.Entry<Oid, Revision> object : good.entrySet()) {
          assertEquals(object.getValue(), storage.load(object.getKey()),
              input + " changed " + object.getKey() + " without a commit");
        }
        assertEquals(List.of(), log.errors(), input + ": a server thread died or logged an ERROR");
        goodWrite(server, storage, good, Oid.of(1 + done % GOOD_OBJECTS)); // a fresh client
        checked = storage.lastTransaction();
        history.addAll(history(storage, history.get(history.size() - 1).tid()));
        if (done % 200 == 0) {
          assertEquals(tids(history), tids(history(storage, Tid.NONE)),
              input + ": the history before it changed");
        }
      }
      assertEquals(tids(history), tids(history(storage, Tid.NONE)), "the history is intact");
      await("every fuzzed connection closed").atMost(Duration.ofSeconds(30))
          .until(() -> server.connectionCount() == 0);
      assertEquals(List.of(), log.errors());
      System.out.printf("wire fuzz: %d inputs in %d ms (%s), %d WARN lines (connections closed"
              + " for bad input), %d transactions committed by fuzzed input, seed %d%n",
          done, Duration.ofNanos(System.nanoTime() - started).toMillis(), perStage,
          log.lines().size(), fuzzedCommits, seed);
    }
    assertTrue(done >= Math.min(inputs, 200), "ran only " + done + " inputs");
  }

  /** A fresh client connects, checks the objects it wrote, and commits a new revision. */
  private static void goodWrite(StorageServer server, MemoryStorage storage,
      Map<Oid, Revision> good, Oid oid) {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port()).secret(SECRET)
        .callTimeout(Duration.ofSeconds(10)).connect()) {
      Revision before = good.get(oid);
      if (before != null) {
        assertEquals(before, client.load(oid));
      }
      Tid tid = Commits.write(client, oid, before == null ? Tid.NONE : before.serial(),
          "good " + storage.lastTransaction());
      good.put(oid, storage.load(oid));
      assertEquals(tid, good.get(oid).serial());
    }
  }

  /**
   * Sends one input on a fresh connection, ends its output and reads until the server closes.
   * Returns whether the input could have committed anything (it holds a frame whose operation is
   * COMMIT or RESTORE after authentication).
   */
  private boolean send(int port, Stage stage) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      boolean mayCommit = false;
      byte[] bytes;
      switch (stage) {
        case PREAMBLE -> {
          ByteArrayOutputStream preamble = new ByteArrayOutputStream();
          FrameIo.writePreamble(preamble, Protocol.VERSION);
          preamble.write(randomBytes(random.nextInt(40)));
          bytes = mutate(preamble.toByteArray(), List.of());
        }
        case AUTH -> {
          Hello hello = hello(in, out);
          byte[] clientNonce = SharedSecret.newNonce();
          FrameEncoder auth = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Op.AUTH.code);
          auth.writeRaw(clientNonce)
              .writeRaw(new SharedSecret(SECRET, "secret").clientProof(hello.nonce(), clientNonce));
          bytes = mutate(bytes(auth.finish()), List.of(0));
        }
        default -> {
          authenticate(in, out);
          List<Integer> starts = new ArrayList<>();
          ByteArrayOutputStream requests = new ByteArrayOutputStream();
          int count = 1 + random.nextInt(6);
          long transactionId = nextTransactionId++;
          for (int i = 0; i < count; i++) {
            starts.add(requests.size());
            requests.write(bytes(template(transactionId)));
          }
          bytes = mutate(requests.toByteArray(), starts);
          mayCommit = holdsACommit(bytes);
        }
      }
      try {
        out.write(bytes);
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // the server closed the connection already: that is a refusal too
      }
      drain(in);
      return mayCommit;
    }
  }

  private static Hello hello(InputStream in, OutputStream out) throws IOException {
    FrameIo.writePreamble(out, Protocol.VERSION);
    Frame hello = FrameIo.read(in, Protocol.MAX_HANDSHAKE_FRAME_LENGTH);
    return Hello.decode(hello.reader(), "fuzzed server");
  }

  private static void authenticate(InputStream in, OutputStream out) throws IOException {
    Hello hello = hello(in, out);
    byte[] clientNonce = SharedSecret.newNonce();
    FrameEncoder auth = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Op.AUTH.code);
    auth.writeRaw(clientNonce)
        .writeRaw(new SharedSecret(SECRET, "secret").clientProof(hello.nonce(), clientNonce));
    FrameIo.write(out, auth.finish());
    out.flush();
    Frame proof = FrameIo.read(in, Protocol.MAX_HANDSHAKE_FRAME_LENGTH);
    assertEquals(Protocol.STATUS_OK, proof.code(), "authenticated");
  }

  /** One valid request frame of a random kind, in transaction {@code transactionId}. */
  private OutgoingFrame template(long transactionId) {
    long id = nextRequestId++;
    Oid oid = Oid.of(random.nextBoolean() ? 1 + random.nextInt(GOOD_OBJECTS)
        : 1000 + random.nextInt(50));
    return switch (random.nextInt(14)) {
      case 0 -> new FrameEncoder(id, Op.LAST_TRANSACTION.code).finish();
      case 1 -> new FrameEncoder(id, Op.NEW_OID.code).finish();
      case 2 -> new FrameEncoder(id, Op.LOAD.code).writeOid(oid).finish();
      case 3 -> new FrameEncoder(id, Op.LOAD_BEFORE.code).writeOid(oid).writeTid(Tid.of(1))
          .finish();
      case 4 -> new FrameEncoder(id, Op.STATS.code).finish();
      case 5, 6 -> piece(id, Op.VOTE, transactionId, Tid.NONE, oid);
      case 7 -> piece(id, Op.STAGE, transactionId, Tid.NONE, oid);
      case 8, 9 -> new FrameEncoder(id, Op.COMMIT.code).writeLong(transactionId).finish();
      case 10 -> new FrameEncoder(id, Op.ABORT.code).writeLong(transactionId).finish();
      case 11 -> piece(id, Op.RESTORE, transactionId + 1_000_000,
          Tid.of(System.currentTimeMillis() * 1000 + 1_000_000 + random.nextInt(1000)), oid);
      case 12 -> new FrameEncoder(id, Op.ITER_OPEN.code).writeTid(Tid.NONE).writeInt(4096)
          .finish();
      default -> new FrameEncoder(id, Op.OUTCOME.code).writeTid(Tid.of(1 + random.nextInt(100)))
          .finish();
    };
  }

  private OutgoingFrame piece(long id, Op op, long transactionId, Tid tid, Oid oid) {
    FrameEncoder piece = new FrameEncoder(id, op.code);
    piece.writeLong(transactionId).writeBoolean(true).writeTid(tid)
        .writeMeta(TransactionMeta.of("fuzz", "input"));
    piece.writeInt(1).writeOid(oid).writeTid(Tid.NONE).writeBytes(randomBytes(random.nextInt(64)));
    return piece.finish();
  }

  /**
   * Applies one to three mutations (or, one time in ten, none): bit flips, byte overwrites,
   * truncation, insertion, a frame's length or operation code replaced, a frame repeated.
   */
  private byte[] mutate(byte[] bytes, List<Integer> frameStarts) {
    if (random.nextInt(10) == 0) {
      return bytes;
    }
    byte[] b = bytes;
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      switch (random.nextInt(7)) {
        case 0 -> {
          for (int k = 1 + random.nextInt(4); k > 0; k--) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length));
        case 3 -> {
          int at = random.nextInt(b.length + 1);
          byte[] inserted = randomBytes(1 + random.nextInt(16));
          byte[] grown = new byte[b.length + inserted.length];
          System.arraycopy(b, 0, grown, 0, at);
          System.arraycopy(inserted, 0, grown, at, inserted.length);
          System.arraycopy(b, at, grown, at + inserted.length, b.length - at);
          b = grown;
        }
        case 4 -> {
          int start = frameStart(frameStarts, b.length, 4);
          if (start >= 0) {
            int[] lengths = {0, 8, 9, 13, Protocol.MAX_FRAME_LENGTH, Protocol.MAX_FRAME_LENGTH + 1,
                Integer.MAX_VALUE, -1, random.nextInt()};
            int length = lengths[random.nextInt(lengths.length)];
            b[start] = (byte) (length >>> 24);
            b[start + 1] = (byte) (length >>> 16);
            b[start + 2] = (byte) (length >>> 8);
            b[start + 3] = (byte) length;
          }
        }
        case 5 -> {
          int start = frameStart(frameStarts, b.length, 13);
          if (start >= 0) {
            Op[] ops = Op.values();
            b[start + 12] = (byte) (random.nextBoolean() ? ops[random.nextInt(ops.length)].code
                : random.nextInt(256));
          }
        }
        default -> {
          byte[] doubled = Arrays.copyOf(b, b.length * 2);
          System.arraycopy(b, 0, doubled, b.length, b.length);
          b = doubled;
        }
      }
    }
    return b;
  }

  private int frameStart(List<Integer> starts, int length, int need) {
    if (starts.isEmpty()) {
      return -1;
    }
    int start = starts.get(random.nextInt(starts.size()));
    return start + need <= length ? start : -1;
  }

  /** Whether the bytes, read as frames, hold a COMMIT or RESTORE before they stop making sense. */
  private static boolean holdsACommit(byte[] bytes) {
    InputStream in = new ByteArrayInputStream(bytes);
    try {
      while (true) {
        Frame frame = FrameIo.read(in, Protocol.MAX_FRAME_LENGTH);
        if (frame == null) {
          return false;
        }
        if (frame.code() == Op.COMMIT.code || frame.code() == Op.RESTORE.code) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads until the server closes the connection. */
  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) >= 0) {
        // responses and refusals are not checked here: the invariants are
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept a connection open 10 s after its input ended", e);
    } catch (IOException e) {
      // reset by the server: closed as well
    }
  }

  private static List<TransactionRecord> history(MemoryStorage storage, Tid after) {
    List<TransactionRecord> records = new ArrayList<>();
    try (TransactionIterator iterator = storage.transactions(after)) {
      iterator.forEachRemaining(records::add);
    }
    return records;
  }

  private static List<Tid> tids(List<TransactionRecord> records) {
    return records.stream().map(TransactionRecord::tid).toList();
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(OutgoingFrame frame) {
    return Arrays.copyOf(frame.bytes(), frame.length());
  }
}
