package org.loomraid.backends.remote.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.wire.ErrorCodec;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.ProtocolViolationException;
import org.loomraid.backends.remote.wire.SharedSecret;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A {@link Storage} on a {@code StorageServer}, over the loomraid protocol: how a RAID mirrors
 * across machines, and how applications use a RAID served by a front-end process.
 *
 * <pre>{@code
 * try (RemoteStorage storage = RemoteStorage.builder("db1.example", 7070)
 *     .callTimeout(Duration.ofSeconds(5))
 *     .secret(secretBytes)
 *     .connect()) {
 *   Revision root = storage.load(Oid.ROOT);
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>One connection, shared by all threads; requests are pipelined and matched to responses by
 *       request id. At most as many requests are outstanding as the server allows (it says so in
 *       its hello); further callers wait for a slot within their call timeout. Commits and aborts
 *       never wait for a slot.</li>
 *   <li>Every call returns within the call timeout: with the result, with an answer (the
 *       server's {@code StorageException}s arrive as the same types with the same subject), or
 *       with a failure: {@link UncheckedIOException} for transport problems (no connection, no
 *       response in time, connection lost), {@link RemoteStorageException} for a failure of the
 *       served storage or a refusal by the server.</li>
 *   <li>A commit is never reported failed when it may have happened. If the connection breaks
 *       after the {@code COMMIT} was sent, the client connects again and asks the server the
 *       transaction's outcome by tid, within the same call timeout; if it cannot tell (no response
 *       in time, an interrupt, no way to ask), {@code commit()} and {@code restore()} throw
 *       {@link CommitOutcomeUnknownException} with the tid. {@link #isCommitted(Tid)} resolves it
 *       later.</li>
 *   <li>An interrupted call returns at once with {@link StorageInterruptedException} (the flag is
 *       set again); the connection stays usable, and the late response is discarded.</li>
 *   <li>After the connection breaks, the next call connects again. Calls that only read, and any
 *       call that was never sent, are retried once on the new connection; a vote is not.</li>
 *   <li>A transaction's stores stay in the client until {@link StorageTransaction#vote()}, which
 *       sends them with the vote: one round trip per phase. Conflicts are therefore reported at
 *       the vote. A transaction belongs to the connection it voted on: if that connection breaks
 *       before the commit was sent, the server aborts it and the commit fails.</li>
 *   <li>{@link #limits()} are the served storage's, as the server announced them when this client
 *       first connected, within what one frame can carry; they are checked before anything is
 *       sent, as are the ends of the id spaces.</li>
 *   <li>{@link #transactions(Tid)} fetches pages of about a megabyte, one ahead of the reader, so a
 *       long history never has to fit a frame or memory at once.</li>
 * </ul>
 */
public final class RemoteStorage implements Storage {

  /** The default bound on establishing a connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The default bound on one call. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final ConnectionSettings settings;
  private final long callTimeoutNanos;
  private final int pageBytes;
  private final AtomicLong requestIds = new AtomicLong(1);
  private final AtomicLong transactionIds = new AtomicLong(1);
  /** The highest tid this client has seen the server report: a lower bound of its last tid. */
  private final AtomicLong knownLast = new AtomicLong();
  /** Guards {@link #current}, {@link #connecting} and {@link #closed} changes. */
  private final ReentrantLock connectLock = new ReentrantLock();
  private volatile ClientConnection current;
  private CompletableFuture<ClientConnection> connecting;
  private volatile boolean closed;
  /** The limits learned from the first hello; they do not change while the storage is open. */
  private volatile StorageLimits limits = StorageLimits.DEFAULT;

  private RemoteStorage(Builder builder) {
    this.name = builder.name != null ? builder.name : "remote " + builder.host + ":" + builder.port;
    this.settings = new ConnectionSettings(builder.host, builder.port, builder.connectTimeout,
        builder.tls, builder.secret);
    this.callTimeoutNanos = builder.callTimeout.toNanos();
    this.pageBytes = builder.pageBytes;
  }

  /**
   * Connects to the server at {@code host:port} with default settings.
   *
   * @throws UncheckedIOException if the server cannot be reached in time
   * @throws RemoteStorageException if the server refuses the connection
   */
  public static RemoteStorage connect(String host, int port) {
    return builder(host, port).connect();
  }

  /** Returns a builder for a client of the server at {@code host:port}. */
  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  @Override
  public String name() {
    return name;
  }

  /** Returns the name of the storage the server serves (from the current or a new connection). */
  public String serverStorageName() {
    return connection(deadline()).hello().storageName();
  }

  /** Returns whether the server serves a RAID's administration, so that {@link #admin()} works. */
  public boolean servesRaid() {
    return connection(deadline()).hello().raidAdmin();
  }

  /** Returns whether the server serves the scrub operations of a RAID's administration. */
  boolean servesScrub() {
    return connection(deadline()).hello().scrub();
  }

  /**
   * Returns the administration of the RAID the server serves. Its calls fail with
   * {@link RemoteStorageException} ({@link RemoteStorageException#NOT_A_RAID}) if the server
   * serves none; see {@link #servesRaid()}.
   */
  public RemoteRaidAdmin admin() {
    return new RemoteRaidAdmin(this);
  }

  @Override
  public Tid lastTransaction() {
    Tid last = call(Op.LAST_TRANSACTION, out -> { }, true, PayloadReader::readTid);
    noteLast(last);
    return last;
  }

  @Override
  public Oid newOid() {
    return call(Op.NEW_OID, out -> { }, true, PayloadReader::readOid);
  }

  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "reserveOids through");
    call(Op.RESERVE_OIDS, out -> out.writeOid(through), true, in -> null);
  }

  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    return call(Op.LOAD, out -> out.writeOid(oid), true, PayloadReader::readRevision);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    return call(Op.LOAD_BEFORE, out -> out.writeOid(oid).writeTid(tid), true,
        in -> in.readBoolean() ? Optional.of(in.readRevision()) : Optional.empty());
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    return call(Op.LOAD_SERIAL, out -> out.writeOid(oid).writeTid(serial), true,
        PayloadReader::readRevision);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    checkOpen();
    return new RemoteTransaction(this, meta, Tid.NONE);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The tid is checked here against the last tid this client has seen the server report;
   * otherwise the server checks it at the vote (one round trip for the whole first phase).
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    checkOpen();
    Tid last = Tid.of(knownLast.get());
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    return new RemoteTransaction(this, meta, tid);
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    Exchange opened = exchange(Op.ITER_OPEN,
        frame(Op.ITER_OPEN, out -> out.writeTid(after).writeInt(pageBytes)), true, deadline());
    return new RemoteTransactionIterator(this, opened.connection(), opened.response());
  }

  /**
   * {@inheritDoc}
   *
   * <p>If the restore's outcome cannot be known (its connection broke and the server cannot be
   * asked in time, or no response came in time), this throws
   * {@link CommitOutcomeUnknownException} with the record's tid.
   */
  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    checkOpen();
    limits.check(record, name);
    List<Store> stores = record.records().stream()
        .map(r -> new Store(r.oid(), Tid.NONE, r.data()))
        .toList();
    List<OutgoingFrame> frames = TransactionFrames.encode(requestIds::getAndIncrement, Op.RESTORE,
        transactionIds.getAndIncrement(), record.tid(), record.meta(), stores);
    long deadline = deadline();
    Exchange done;
    try {
      done = sendTransaction(frames, deadline, "RESTORE", connection -> { });
    } catch (Unsent e) {
      throw e.failure;
    } catch (Sent e) {
      if (e.cause instanceof ClientConnection.NoResponseException
          || e.cause instanceof InterruptedIOException) {
        throw inDoubt("RESTORE of " + record.tid(), record.tid(), e.cause);
      }
      resolveLost("RESTORE of " + record.tid(), record.tid(), deadline, e.cause);
      noteLast(record.tid());
      return;
    }
    result(done, in -> null);
    noteLast(record.tid());
  }

  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    call(Op.PACK, out -> out.writeTid(before), true, in -> null);
  }

  @Override
  public StorageStats stats() {
    return call(Op.STATS, out -> { }, true,
        in -> new StorageStats(in.readLong(), in.readLong(), in.readLong()));
  }

  /**
   * The served storage's limits as its server announced them when this client first connected,
   * within what the protocol can carry: records up to {@link DataRecord#MAX_DATA_LENGTH}, metadata
   * up to {@link Protocol#MAX_META_SIZE}, transactions up to what the server stages per
   * connection.
   */
  @Override
  public StorageLimits limits() {
    return limits;
  }

  /**
   * Returns whether the transaction with {@code tid} committed on the server: how a caller
   * resolves a {@link CommitOutcomeUnknownException}, on this client or a new one. If the server
   * still has a transaction with that tid whose {@code COMMIT} has not arrived, it aborts it
   * (whoever asks has given up on it); if its commit is under way, it waits for it. The answer is
   * therefore final: a transaction reported as not committed never commits afterwards.
   *
   * @throws IllegalArgumentException if {@code tid} is {@link Tid#NONE} or above {@link Tid#MAX}
   * @throws UncheckedIOException if the server cannot be asked within the call timeout
   */
  public boolean isCommitted(Tid tid) {
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    return outcome(tid, deadline());
  }

  /**
   * Closes the connection; the server aborts this client's open transactions. Idempotent; calls
   * waiting on the connection fail.
   */
  @Override
  public void close() {
    ClientConnection connection;
    connectLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      connection = current;
      current = null;
    } finally {
      connectLock.unlock();
    }
    if (connection != null) {
      connection.close();
    }
  }

  @Override
  public String toString() {
    return "RemoteStorage[" + name + " at " + settings.address() + (closed ? ", closed" : "") + "]";
  }

  // --- for the transaction, iterator and admin classes ---

  /** A response and the connection it came on. */
  record Exchange(ClientConnection connection, Frame response) {}

  /** Decodes an OK payload. */
  @FunctionalInterface
  interface Decoder<T> {
    T decode(PayloadReader in) throws ProtocolViolationException;
  }

  /** Nothing of a transaction's frames left this client: it cannot have had any effect. */
  static final class Unsent extends Exception {
    private static final long serialVersionUID = 1L;
    final transient RuntimeException failure;

    Unsent(RuntimeException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }

  /** A transaction's final frame was queued, and then its response did not come. */
  static final class Sent extends Exception {
    private static final long serialVersionUID = 1L;
    final transient IOException cause;

    Sent(IOException cause) {
      super(cause.getMessage(), cause, false, false);
      this.cause = cause;
    }
  }

  /** An interrupt turned into an I/O outcome, so one catch can tell it from a broken connection. */
  static final class InterruptedIOException extends IOException {
    private static final long serialVersionUID = 1L;

    InterruptedIOException(StorageInterruptedException cause) {
      super(cause.getMessage(), cause);
    }
  }

  String storageName() {
    return name;
  }

  void checkOpen() {
    if (closed) {
      throw new StorageClosedException(name);
    }
  }

  long deadline() {
    return System.nanoTime() + callTimeoutNanos;
  }

  void noteLast(Tid tid) {
    knownLast.accumulateAndGet(tid.value(), Math::max);
  }

  int pageBytes() {
    return pageBytes;
  }

  long nextTransactionId() {
    return transactionIds.getAndIncrement();
  }

  long nextRequestId() {
    return requestIds.getAndIncrement();
  }

  OutgoingFrame frame(Op op, Consumer<FrameEncoder> arguments) {
    FrameEncoder out = new FrameEncoder(requestIds.getAndIncrement(), op.code);
    arguments.accept(out);
    return out.finish();
  }

  /** One request and its decoded result, within the call timeout. */
  <T> T call(Op op, Consumer<FrameEncoder> arguments, boolean retrySafe, Decoder<T> decoder) {
    checkOpen();
    return result(exchange(op, frame(op, arguments), retrySafe, deadline()), decoder);
  }

  /**
   * Sends a request and waits for its response, until {@code deadline}. If the connection turns
   * out to be broken, the request is sent once more on a new one: always if it was never sent,
   * otherwise only if {@code retrySafe}.
   */
  Exchange exchange(Op op, OutgoingFrame frame, boolean retrySafe, long deadline) {
    checkOpen();
    for (int attempt = 1; ; attempt++) {
      ClientConnection connection = connection(deadline);
      try {
        return new Exchange(connection, connection.call(frame, op.bounded, deadline, op.name()));
      } catch (ClientConnection.NoResponseException e) {
        throw lost(op.name(), connection, e);
      } catch (ClientConnection.NotSentException e) {
        if (attempt >= 2) {
          throw lost(op.name(), connection, e);
        }
      } catch (IOException e) {
        if (!retrySafe || attempt >= 2) {
          throw lost(op.name(), connection, e);
        }
      }
    }
  }

  /**
   * Sends a transaction's frames back to back on one connection (its stages and its final vote or
   * restore) and waits for the response to the last. If the connection is found broken before
   * anything was sent, a new one is used. {@code queued} learns the connection once the frames
   * are queued on it.
   *
   * @throws Unsent if nothing was sent (the failure to report is inside)
   * @throws Sent if the frames were queued and no response came (broken connection, deadline or
   *     interrupt: the cause tells which)
   */
  Exchange sendTransaction(List<OutgoingFrame> frames, long deadline, String what,
      Consumer<ClientConnection> queued) throws Unsent, Sent {
    List<OutgoingFrame> stages = frames.subList(0, frames.size() - 1);
    OutgoingFrame last = frames.get(frames.size() - 1);
    for (int attempt = 1; ; attempt++) {
      ClientConnection connection;
      CompletableFuture<Frame> response;
      try {
        connection = connection(deadline);
        response = connection.sendAfter(stages, last, true, deadline, what);
      } catch (ClientConnection.NotSentException e) {
        if (attempt >= 2) {
          throw new Unsent(lost(what, current, e));
        }
        continue;
      } catch (ClientConnection.NoResponseException e) {
        throw new Unsent(new UncheckedIOException(e.getMessage(), e));
      } catch (IOException e) {
        throw new Unsent(new UncheckedIOException(what + " not sent: " + e.getMessage(), e));
      } catch (RuntimeException e) {
        throw new Unsent(e);
      }
      queued.accept(connection);
      try {
        return new Exchange(connection, connection.await(response, last.requestId(), deadline,
            what));
      } catch (StorageInterruptedException e) {
        throw new Sent(new InterruptedIOException(e));
      } catch (IOException e) {
        throw new Sent(e);
      }
    }
  }

  /** Decodes a response: the result of an OK, the exception of an error. */
  <T> T result(Exchange exchange, Decoder<T> decoder) {
    PayloadReader in = exchange.response().reader();
    try {
      switch (exchange.response().code()) {
        case Protocol.STATUS_OK -> {
          T value = decoder.decode(in);
          in.expectEnd();
          return value;
        }
        case Protocol.STATUS_ERROR -> throw ErrorCodec.decode(in);
        default -> throw new ProtocolViolationException(
            "unknown response status " + exchange.response().code());
      }
    } catch (ProtocolViolationException e) {
      exchange.connection().fail(e);
      throw new UncheckedIOException(
          "malformed response from " + settings.address() + ": " + e.getMessage(), e);
    }
  }

  /** The failure to throw when a call got no response (broken connection or deadline). */
  RuntimeException lost(String what, ClientConnection connection, IOException cause) {
    if (closed) {
      return new StorageClosedException(name);
    }
    if (cause instanceof ClientConnection.NoResponseException) {
      return new UncheckedIOException(cause.getMessage(), cause);
    }
    String address = connection != null ? connection.address() : settings.address();
    return new UncheckedIOException(what + " to " + address + " failed: " + cause.getMessage(),
        cause);
  }

  /** The in-doubt exception for a commit or restore whose response did not come. */
  CommitOutcomeUnknownException inDoubt(String what, Tid tid, IOException cause) {
    Throwable reason = cause instanceof InterruptedIOException interrupted
        ? interrupted.getCause() : cause;
    String resolve = tid.isNone()
        ? " (the server chose the tid, so the outcome can only be told by reading the objects)"
        : "; isCommitted(" + tid + ") tells once the server answers";
    return new CommitOutcomeUnknownException(what + " on '" + name + "' may or may not have"
        + " committed: " + cause.getMessage() + resolve, tid, reason);
  }

  /**
   * Settles a commit or restore whose connection broke after it was sent, by asking the server
   * (on a new connection, before {@code deadline}) whether {@code tid} committed. Returns if it
   * did; throws a plain failure if it did not (it never will: the server has settled it), and
   * {@link CommitOutcomeUnknownException} if the server cannot be asked in time.
   */
  void resolveLost(String what, Tid tid, long deadline, IOException cause) {
    if (closed || tid.isNone()) {
      throw inDoubt(what, tid, cause);
    }
    boolean committed;
    try {
      committed = outcome(tid, deadline);
    } catch (RuntimeException e) {
      CommitOutcomeUnknownException unknown = inDoubt(what, tid, cause);
      unknown.addSuppressed(e);
      throw unknown;
    }
    if (!committed) {
      throw new UncheckedIOException(what + " lost its connection to " + settings.address()
          + " before the server answered; the server reports that it did not commit", cause);
    }
  }

  /** Asks the server whether {@code tid} committed (an {@code OUTCOME} request), by the deadline. */
  boolean outcome(Tid tid, long deadline) {
    checkOpen();
    Exchange answer = exchange(Op.OUTCOME, frame(Op.OUTCOME, out -> out.writeTid(tid)), true,
        deadline);
    int outcome = result(answer, PayloadReader::readUnsignedByte);
    if (outcome == Protocol.OUTCOME_COMMITTED) {
      noteLast(tid);
      return true;
    }
    if (outcome == Protocol.OUTCOME_NOT_COMMITTED) {
      return false;
    }
    answer.connection().fail(new ProtocolViolationException("unknown outcome " + outcome));
    throw new UncheckedIOException(new ProtocolViolationException(
        "server at " + settings.address() + " sent an unknown outcome " + outcome));
  }

  /** Returns a working connection, connecting (once for all waiting callers) if needed. */
  ClientConnection connection(long deadline) {
    ClientConnection connection = current;
    if (connection != null && !connection.isBroken()) {
      return connection;
    }
    CompletableFuture<ClientConnection> attempt;
    connectLock.lock();
    try {
      checkOpen();
      connection = current;
      if (connection != null && !connection.isBroken()) {
        return connection;
      }
      if (connecting == null) {
        CompletableFuture<ClientConnection> started = new CompletableFuture<>();
        connecting = started;
        ClientThreads.start(threadPrefix() + "-connect", () -> connect(started));
      }
      attempt = connecting;
    } finally {
      connectLock.unlock();
    }
    return awaitConnection(attempt, deadline);
  }

  private void connect(CompletableFuture<ClientConnection> attempt) {
    ClientConnection connection;
    try {
      connection = ClientConnection.open(settings, threadPrefix());
    } catch (Throwable e) {
      clearConnecting(attempt);
      attempt.completeExceptionally(e);
      return;
    }
    connectLock.lock();
    try {
      connecting = null;
      if (!closed) {
        if (current == null && limits == StorageLimits.DEFAULT) {
          limits = protocolBound(connection.hello().limits());
        }
        current = connection;
        knownLast.set(0);
      }
    } finally {
      connectLock.unlock();
    }
    if (closed) {
      connection.close();
      attempt.completeExceptionally(new StorageClosedException(name));
    } else {
      attempt.complete(connection);
    }
  }

  /** The announced limits, within what the protocol carries. */
  private static StorageLimits protocolBound(StorageLimits announced) {
    return announced
        .withMaxRecordSize(Math.min(announced.maxRecordSize(), DataRecord.MAX_DATA_LENGTH))
        .withMaxMetaSize(Math.min(announced.maxMetaSize(), Protocol.MAX_META_SIZE));
  }

  private void clearConnecting(CompletableFuture<ClientConnection> attempt) {
    connectLock.lock();
    try {
      if (connecting == attempt) {
        connecting = null;
      }
    } finally {
      connectLock.unlock();
    }
  }

  private ClientConnection awaitConnection(CompletableFuture<ClientConnection> attempt,
      long deadline) {
    try {
      return attempt.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(
          "interrupted while connecting to " + settings.address(), e);
    } catch (TimeoutException e) {
      throw new UncheckedIOException(new SocketTimeoutException(
          "no connection to " + settings.address() + " in time"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(
            "cannot connect to " + settings.address() + ": " + io.getMessage(), io);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private String threadPrefix() {
    return "loomraid-remote-" + settings.address();
  }

  /** Settings for a {@link RemoteStorage}; {@link #connect()} validates and connects. */
  public static final class Builder {
    private final String host;
    private final int port;
    private String name;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private SharedSecret secret;
    private SSLContext tls;
    private int pageBytes = Protocol.DEFAULT_PAGE_BYTES;

    private Builder(String host, int port) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be in 1..65535, was " + port);
      }
      this.host = host;
      this.port = port;
    }

    /** The storage's name, for logs; default {@code remote <host>:<port>}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** How long establishing a connection may take (TCP, TLS, handshake); default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long one call may take, connecting included; default 30 s. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /** Proves this shared secret to the server (at least 16 bytes; copied). */
    public Builder secret(byte[] secret) {
      this.secret = new SharedSecret(Objects.requireNonNull(secret, "secret"), "secret");
      return this;
    }

    /** Connects with TLS, trusting what this context trusts (see {@code TlsContexts}). */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "tls");
      return this;
    }

    /** The size of the pages {@link RemoteStorage#transactions(Tid)} asks for; default 1 MiB. */
    public Builder pageBytes(int bytes) {
      if (bytes < Protocol.MIN_PAGE_BYTES || bytes > Protocol.MAX_PAGE_BYTES) {
        throw new IllegalArgumentException("pageBytes must be in " + Protocol.MIN_PAGE_BYTES
            + ".." + Protocol.MAX_PAGE_BYTES + ", was " + bytes);
      }
      this.pageBytes = bytes;
      return this;
    }

    /**
     * Creates the storage and connects it.
     *
     * @throws UncheckedIOException if the server cannot be reached within the connect timeout
     * @throws RemoteStorageException if the server refuses (protocol version, secret, busy)
     */
    public RemoteStorage connect() {
      RemoteStorage storage = new RemoteStorage(this);
      try {
        storage.connection(System.nanoTime() + connectTimeout.toNanos() + callTimeout.toNanos());
        return storage;
      } catch (RuntimeException | Error e) {
        storage.close();
        throw e;
      }
    }

    private static Duration positive(Duration value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + value);
      }
      return value;
    }
  }
}
