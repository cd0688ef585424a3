package org.loomraid.backends.remote.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.FrameIo;
import org.loomraid.backends.remote.wire.Hello;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.ProtocolViolationException;
import org.loomraid.backends.remote.wire.SharedSecret;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.Tid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a {@link StorageServer}: its own virtual thread does the handshake and
 * then reads frames in order, decoding each completely before acting on it.
 *
 * <h2>The reader never blocks on anything but the socket</h2>
 * Staging a transaction is done right on the reader, so its pieces stay in order; everything else
 * runs on a virtual thread of its own, which writes its response. A bounded request ({@link
 * Op#bounded}) takes one of the connection's request permits without waiting: a client that has
 * more outstanding than the limit it was told in the hello is answered {@code TOO_MANY_REQUESTS} at
 * once. Commits, aborts and iterator closes take no request permit, so they are never queued behind
 * the votes that wait for them; they and the reader's own replies are bounded only against a
 * client that never reads its responses ({@link #MAX_UNANSWERED}).
 *
 * <p>An {@code ABORT} that follows the {@code COMMIT} of the same transaction does not race it: it
 * waits for the commit to finish and reports its outcome.
 *
 * <p>Anything the protocol does not allow (bad preamble, oversized, truncated or malformed frame,
 * unknown operation) closes this connection with one WARN line; the connection's transactions are
 * aborted (but a commit already received finishes) and its cursors closed, and nothing else is
 * touched.
 *
 * <p>Locks: {@link #writeLock} guards the output stream (one frame at a time); it is never held
 * while taking another lock. The permits are only ever taken with {@code tryAcquire}.
 */
final class ServerConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);

  /**
   * The most commits, aborts, iterator closes and immediate replies one connection may have
   * unanswered. A client that reads its responses never comes near it (it has at most one commit
   * and a few aborts in flight); one that floods the server without reading is disconnected.
   */
  static final int MAX_UNANSWERED = 1024;

  private final StorageServer server;
  private final Socket socket;
  private final long number;
  private final String peer;
  private final RequestHandler handler;
  private final Semaphore requestPermits;
  private final Semaphore unansweredPermits = new Semaphore(MAX_UNANSWERED);
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Executor requestThreads;
  private volatile boolean closed;
  private InputStream in;
  private OutputStream out;
  private long stagedBytes;
  private Thread thread;

  ServerConnection(StorageServer server, Socket socket, long number) {
    this.server = server;
    this.socket = socket;
    this.number = number;
    this.peer = String.valueOf(socket.getRemoteSocketAddress());
    this.handler = new RequestHandler(server.storage(), server.activity(), server.administration(),
        server.openTransactions());
    this.requestPermits = new Semaphore(server.maxRequestsPerConnection());
    String requestThreadName = server.threadName("conn-" + number + "-request");
    this.requestThreads = task -> ServerThreads.start(requestThreadName, task);
  }

  void start() {
    thread = ServerThreads.start(server.threadName("conn-" + number), this::serve);
  }

  Thread thread() {
    return thread;
  }

  /** Closes the socket; the reader thread then ends and releases the connection's state. */
  void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing connection {} failed", number, e);
    }
  }

  private void serve() {
    try {
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      if (handshake()) {
        readLoop();
      }
    } catch (ProtocolViolationException e) {
      if (!closed) {
        LOG.warn("{}: closing connection {} from {}: {}", server.label(), number, peer,
            e.getMessage());
      }
    } catch (SSLException e) {
      if (!closed) {
        LOG.warn("{}: closing connection {} from {}: TLS failed: {}", server.label(), number, peer,
            e.getMessage());
      }
    } catch (IOException e) {
      if (!closed) {
        LOG.debug("{}: connection {} from {} ended: {}", server.label(), number, peer, e.toString());
      }
    } finally {
      close();
      handler.releaseAll();
      server.connectionEnded(this);
    }
  }

  /** Returns whether the connection may go on to serve requests. */
  private boolean handshake() throws IOException {
    socket.setSoTimeout(server.handshakeTimeoutMillis());
    if (socket instanceof SSLSocket ssl) {
      ssl.startHandshake();
    }
    int version = FrameIo.readPreamble(in);
    if (version != Protocol.VERSION) {
      send(RequestHandler.refusal(Protocol.HANDSHAKE_REQUEST_ID, ErrorType.VERSION_MISMATCH,
          "protocol version " + version + " is not supported"));
      throw new ProtocolViolationException(
          "client speaks protocol version " + version + ", this server " + Protocol.VERSION);
    }
    if (server.isDraining()) {
      send(RequestHandler.refusal(Protocol.HANDSHAKE_REQUEST_ID, ErrorType.SHUTTING_DOWN,
          "server is shutting down"));
      return false;
    }
    SharedSecret secret = server.secret();
    byte[] nonce = secret == null ? null : SharedSecret.newNonce();
    int flags = (secret == null ? 0 : Protocol.FLAG_AUTH_REQUIRED)
        | (server.administration().available()
            ? Protocol.FLAG_RAID_ADMIN | Protocol.FLAG_SCRUB : 0);
    send(new Hello(flags, server.storage().name(), server.maxRequestsPerConnection(),
        server.announcedLimits(), nonce).encode());
    if (secret != null) {
      authenticate(secret, nonce);
    }
    socket.setSoTimeout(0);
    return true;
  }

  private void authenticate(SharedSecret secret, byte[] nonce) throws IOException {
    Frame auth = readFrame(Protocol.MAX_HANDSHAKE_FRAME_LENGTH, 0);
    if (auth == null) {
      throw new ProtocolViolationException("connection closed before authenticating");
    }
    if (auth.code() != Op.AUTH.code) {
      throw new ProtocolViolationException(String.format(
          "expected AUTH (0x%02x) before any request, got operation 0x%02x", Op.AUTH.code,
          auth.code()));
    }
    PayloadReader reader = auth.reader();
    byte[] clientNonce = reader.readRaw(Protocol.NONCE_LENGTH);
    byte[] proof = reader.readRaw(Protocol.MAC_LENGTH);
    reader.expectEnd();
    if (!SharedSecret.same(secret.clientProof(nonce, clientNonce), proof)) {
      send(RequestHandler.refusal(auth.requestId(), ErrorType.AUTHENTICATION_FAILED,
          "wrong shared secret"));
      throw new ProtocolViolationException("authentication failed: wrong shared secret");
    }
    send(new FrameEncoder(auth.requestId(), Protocol.STATUS_OK)
        .writeRaw(secret.serverProof(nonce, clientNonce)).finish());
  }

  private void readLoop() throws IOException {
    while (true) {
      Frame frame = readFrame(Protocol.MAX_FRAME_LENGTH, server.frameTimeoutMillis());
      if (frame == null) {
        return;
      }
      Op op = Op.of(frame.code());
      if (op == null) {
        throw new ProtocolViolationException(
            String.format("unknown operation code 0x%02x", frame.code()));
      }
      accept(frame.requestId(), RequestDecoder.decode(op, frame.reader()));
    }
  }

  /** Reads a frame, counted as in progress at the server from its header to its end. */
  private Frame readFrame(int maxLength, int timeoutMillis) throws IOException {
    boolean[] begun = new boolean[1];
    try {
      return FrameIo.read(in, maxLength, timeoutMillis > 0 ? socket : null, timeoutMillis,
          length -> {
            begun[0] = true;
            server.frameBegun();
          });
    } finally {
      if (begun[0]) {
        server.frameEnded();
      }
    }
  }

  private void accept(long id, Request request) throws IOException {
    if (server.isDraining() && !(request instanceof Request.Commit
        || request instanceof Request.Abort || request instanceof Request.IterClose)) {
      refuseWhileDraining(id, request);
      return;
    }
    switch (request) {
      case Request.TransactionPart part -> acceptPart(id, part);
      case Request.Commit c -> acceptCommit(id, c.transactionId());
      case Request.Abort a -> acceptAbort(id, a.transactionId());
      case Request.IterClose c -> unbounded(() -> {
        handler.closeCursor(c.cursorId());
        return null;
      });
      default -> bounded(id, () -> handler.execute(id, request), () -> { });
    }
  }

  private void acceptCommit(long id, long transactionId) throws IOException {
    ServerTransaction t = handler.transactions().get(transactionId);
    if (t == null || !t.dispatched) {
      reply(RequestHandler.refusal(id, ErrorType.PROTOCOL,
          "no voted transaction " + transactionId + " on this connection"));
    } else if (t.commitRequested) {
      reply(RequestHandler.refusal(id, ErrorType.PROTOCOL,
          "transaction " + transactionId + " already has a COMMIT"));
    } else {
      t.commitRequested = true; // before the commit runs: no abort may overtake it now
      unbounded(() -> handler.commit(id, t));
    }
  }

  private void acceptAbort(long id, long transactionId) throws IOException {
    ServerTransaction t = handler.transactions().get(transactionId);
    if (t == null) {
      reply(handler.abortResult(id, Tid.NONE, null));
    } else if (t.commitRequested) {
      afterOutcome(t, (committed, failure) -> handler.abortResult(id, committed, failure));
    } else if (!t.dispatched) {
      stagedBytes -= t.stagedBytes;
      t.abortRequested = true;
      t.abort();
      reply(handler.abortResult(id, Tid.NONE, null));
    } else {
      t.abortRequested = true; // a vote that has not started yet will not
      unbounded(() -> handler.abort(id, t));
    }
  }

  /** Stages a piece of a transaction; the last piece (vote or restore) goes to a request thread. */
  private void acceptPart(long id, Request.TransactionPart part) throws IOException {
    long txnId = part.transactionId();
    ServerTransaction t = handler.transactions().get(txnId);
    if (t == null) {
      if (part.header() == null) {
        throw new ProtocolViolationException("transaction " + txnId + " has no header");
      }
      t = handler.newTransaction(txnId);
    } else if (t.dispatched) {
      throw new ProtocolViolationException("transaction " + txnId + " was already voted");
    } else if (part.header() != null) {
      throw new ProtocolViolationException("transaction " + txnId + " has two headers");
    }
    if (part.header() != null) {
      t.tid = part.header().tid();
      t.meta = part.header().meta();
    }
    stage(t, part.stores());
    if (part.end() == Op.STAGE) {
      return;
    }
    stagedBytes -= t.stagedBytes; // its pieces leave the staging area now, whatever follows
    handler.dispatched(t);
    ServerTransaction ready = t;
    if (part.end() == Op.VOTE) {
      bounded(id, () -> handler.vote(id, ready), ready::abort);
    } else {
      ready.commitRequested = true; // a restore commits in one step: nothing may overtake it
      bounded(id, () -> handler.restore(id, ready), ready::abort);
    }
  }

  /** Adds stores to a staged transaction, within the per-connection limit on staged bytes. */
  private void stage(ServerTransaction t, List<Store> stores) {
    if (t.stagingError != null) {
      return;
    }
    for (Store store : stores) {
      long size = Protocol.STORE_OVERHEAD + store.data().length;
      t.stagedBytes += size;
      stagedBytes += size;
    }
    if (stagedBytes > server.maxStagedBytes()) {
      t.stagingError = "transaction " + t.id + " exceeds the server's limit of "
          + server.maxStagedBytes() + " bytes staged per connection";
      stagedBytes -= t.stagedBytes;
      t.stagedBytes = 0;
      t.staged = List.of();
      return;
    }
    t.staged.addAll(stores);
  }

  private void refuseWhileDraining(long id, Request request) throws IOException {
    if (request instanceof Request.TransactionPart part) {
      ServerTransaction t = handler.transactions().get(part.transactionId());
      if (t != null && !t.dispatched) {
        stagedBytes -= t.stagedBytes;
        t.abort();
      }
      if (part.end() == Op.STAGE) {
        return;
      }
    }
    reply(RequestHandler.refusal(id, ErrorType.SHUTTING_DOWN, "server is shutting down"));
  }

  /**
   * Runs a bounded request on a request thread if one of the connection's permits is free, and
   * refuses it at once otherwise ({@code onRefused} runs first, on the reader). The permit is
   * released before the response is written, so a client that waits for a response before it
   * sends its next request never finds the server's count ahead of its own.
   */
  private void bounded(long id, Supplier<OutgoingFrame> task, Runnable onRefused)
      throws IOException {
    if (!requestPermits.tryAcquire()) {
      onRefused.run();
      reply(RequestHandler.refusal(id, ErrorType.TOO_MANY_REQUESTS, "more than "
          + server.maxRequestsPerConnection() + " requests outstanding on one connection (the"
          + " limit this server announced)"));
      return;
    }
    start(() -> {
      OutgoingFrame response;
      try {
        response = task.get();
      } finally {
        requestPermits.release();
      }
      send(response);
    }, () -> requestPermits.release());
  }

  /** Runs a commit, abort or iterator close on a request thread without waiting for a permit. */
  private void unbounded(Supplier<OutgoingFrame> task) throws IOException {
    takeUnanswered();
    start(() -> {
      try {
        OutgoingFrame response = task.get();
        if (response != null) {
          send(response);
        }
      } finally {
        unansweredPermits.release();
      }
    }, unansweredPermits::release);
  }

  /** Sends a response the reader has made, from a request thread: the reader never writes. */
  private void reply(OutgoingFrame response) throws IOException {
    unbounded(() -> response);
  }

  /** Sends the response {@code respond} makes once {@code t} has finished (no thread waits). */
  private void afterOutcome(ServerTransaction t, Outcome respond) throws IOException {
    takeUnanswered();
    server.activity().begin();
    t.outcome.whenCompleteAsync((committed, failure) -> {
      try {
        send(respond.response(committed == null ? Tid.NONE : committed, failure));
      } finally {
        unansweredPermits.release();
        server.activity().end();
      }
    }, requestThreads);
  }

  /** Makes the response to a request that waited for a transaction's outcome. */
  @FunctionalInterface
  private interface Outcome {
    OutgoingFrame response(Tid committed, Throwable failure);
  }

  private void takeUnanswered() throws ProtocolViolationException {
    if (!unansweredPermits.tryAcquire()) {
      throw new ProtocolViolationException("more than " + MAX_UNANSWERED + " commits, aborts and"
          + " replies unanswered: the client does not read its responses");
    }
  }

  /** Starts {@code task} on a request thread, counted as activity; {@code undo} if it cannot. */
  private void start(Runnable task, Runnable undo) {
    server.activity().begin();
    try {
      requestThreads.execute(() -> {
        try {
          task.run();
        } finally {
          server.activity().end();
        }
      });
    } catch (RuntimeException | Error e) {
      undo.run();
      server.activity().end();
      throw e;
    }
  }

  private void send(OutgoingFrame frame) {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      FrameIo.write(out, frame);
      out.flush();
    } catch (IOException e) {
      LOG.debug("{}: writing to connection {} failed: {}", server.label(), number, e.toString());
      close();
    } finally {
      writeLock.unlock();
    }
  }
}
