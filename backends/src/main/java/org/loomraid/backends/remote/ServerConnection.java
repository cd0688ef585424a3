package org.loomraid.backends.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.loomraid.storage.BufferedTransaction.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a {@link StorageServer}: its own virtual thread does the handshake and
 * then reads frames in order, decoding each completely before acting on it. Staging a transaction
 * is done right there, so its pieces stay in order; everything that calls the storage runs on a
 * virtual thread of its own, so a vote waiting for the commit lock never holds up the commit that
 * would release it. Responses are written whole, one at a time.
 *
 * <p>Anything the protocol does not allow (bad preamble, oversized, truncated or malformed frame,
 * unknown operation) closes this connection with one WARN line; the connection's transactions are
 * aborted and its cursors closed, and nothing else is touched.
 *
 * <p>Locks: {@link #writeLock} guards the output stream (one frame at a time); it is taken after,
 * never before, a {@link ServerTransaction#lock}.
 */
final class ServerConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);

  private final StorageServer server;
  private final Socket socket;
  private final long number;
  private final String peer;
  private final RequestHandler handler;
  private final Semaphore requestPermits;
  private final ReentrantLock writeLock = new ReentrantLock();
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
    this.handler = new RequestHandler(server.storage(), server.activity(), server.administration());
    this.requestPermits = new Semaphore(server.maxRequestsPerConnection());
  }

  void start() {
    thread = VirtualThreads.start(server.threadName("conn-" + number), this::serve);
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
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
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
        | (server.administration().available() ? Protocol.FLAG_RAID_ADMIN : 0);
    FrameEncoder hello = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Protocol.STATUS_OK);
    hello.writeShort(Protocol.VERSION).writeByte(flags).writeString(server.storage().name());
    if (nonce != null) {
      hello.writeRaw(nonce);
    }
    send(hello.finish());
    if (secret != null) {
      authenticate(secret, nonce);
    }
    socket.setSoTimeout(0);
    return true;
  }

  private void authenticate(SharedSecret secret, byte[] nonce) throws IOException {
    Frame auth = FrameIo.read(in, Protocol.MAX_HANDSHAKE_FRAME_LENGTH, null, 0);
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
      Frame frame = FrameIo.read(in, Protocol.MAX_FRAME_LENGTH, socket,
          server.frameTimeoutMillis());
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

  private void accept(long id, Request request) throws IOException {
    if (server.isDraining() && !(request instanceof Request.Commit
        || request instanceof Request.Abort || request instanceof Request.IterClose)) {
      refuseWhileDraining(id, request);
      return;
    }
    switch (request) {
      case Request.TransactionPart part -> acceptPart(id, part);
      case Request.Commit c -> {
        ServerTransaction t = handler.transactions().get(c.transactionId());
        if (t == null) {
          send(RequestHandler.refusal(id, ErrorType.PROTOCOL,
              "no voted transaction " + c.transactionId() + " on this connection"));
        } else {
          dispatch(() -> handler.commit(id, t), false);
        }
      }
      case Request.Abort a -> {
        ServerTransaction t = handler.transactions().get(a.transactionId());
        if (t == null) {
          send(new FrameEncoder(id, Protocol.STATUS_OK).finish());
        } else {
          t.abortRequested = true;
          dispatch(() -> handler.abort(id, t), false);
        }
      }
      case Request.IterClose c -> dispatch(() -> {
        handler.closeCursor(c.cursorId());
        return null;
      }, false);
      default -> dispatch(() -> handler.execute(id, request), true);
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
      t = new ServerTransaction(txnId);
      handler.transactions().put(txnId, t);
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
    t.dispatched = true;
    stagedBytes -= t.stagedBytes;
    ServerTransaction ready = t;
    if (part.end() == Op.VOTE) {
      dispatch(() -> handler.vote(id, ready), true);
    } else {
      dispatch(() -> handler.restore(id, ready), true);
    }
  }

  /** Adds stores to a staged transaction, within the per-connection limit on staged bytes. */
  private void stage(ServerTransaction t, List<Store> stores) {
    if (t.stagingError != null) {
      return;
    }
    for (Store store : stores) {
      long size = RequestDecoder.STORE_OVERHEAD + store.data().length;
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
      ServerTransaction t = handler.transactions().remove(part.transactionId());
      if (t != null && !t.dispatched) {
        stagedBytes -= t.stagedBytes;
      }
      if (part.end() == Op.STAGE) {
        return;
      }
    }
    send(RequestHandler.refusal(id, ErrorType.SHUTTING_DOWN, "server is shutting down"));
  }

  /**
   * Runs {@code task} on a request thread and sends its response (if any). Bounded tasks wait for
   * one of the connection's request permits first (backpressure on a client that sends faster
   * than the storage answers); commit, abort and cursor close never wait, since they free what
   * the waiting requests may need.
   */
  private void dispatch(Supplier<OutgoingFrame> task, boolean bounded) throws IOException {
    if (bounded) {
      try {
        requestPermits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for a request permit", e);
      }
    }
    server.activity().begin();
    try {
      VirtualThreads.start(server.threadName("conn-" + number + "-request"), () -> {
        try {
          OutgoingFrame response = task.get();
          if (response != null) {
            send(response);
          }
        } finally {
          if (bounded) {
            requestPermits.release();
          }
          server.activity().end();
        }
      });
    } catch (RuntimeException | Error e) {
      if (bounded) {
        requestPermits.release();
      }
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
