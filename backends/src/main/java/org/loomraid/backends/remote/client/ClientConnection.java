package org.loomraid.backends.remote.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.wire.ErrorCodec;
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
import org.loomraid.storage.StorageInterruptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, shared by every thread of a {@link RemoteStorage}: callers queue
 * encoded requests and wait for their response futures; a writer virtual thread writes the queue
 * (flushing when it runs empty, so concurrent requests share packets), and a reader virtual
 * thread completes each response's future by request id. Callers therefore never block in socket
 * I/O: a wait is bounded by the call's deadline and ends at once on an interrupt, the abandoned
 * request id is forgotten, and its late response is discarded when it arrives. The connection
 * stays usable.
 *
 * <h2>Back-pressure</h2>
 * The server's hello says how many bounded requests ({@link Op#bounded}) may be outstanding on
 * the connection; each takes one of {@link #credits} before it is queued and gives it back when
 * its response arrives (also the late response of an abandoned request), so this connection never
 * has more outstanding than the server accepts. A caller waits for a credit within its deadline.
 * Commits, aborts and iterator closes take no credit: they never wait behind the requests that may
 * be waiting for them.
 *
 * <p>When the connection breaks (end of stream, I/O error, a malformed response), every waiting
 * call fails with the cause and the connection is never used again.
 */
final class ClientConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
  private static final OutgoingFrame POISON = new OutgoingFrame(-1, new byte[0], 0);

  /** The request could not be queued: the connection was already broken. Safe to retry. */
  static final class NotSentException extends IOException {
    private static final long serialVersionUID = 1L;

    NotSentException(IOException cause) {
      super("connection already broken: " + cause.getMessage(), cause);
    }
  }

  /** No response (or no request credit) before the deadline. */
  static final class NoResponseException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Whether the request was queued (so the server may be executing it). */
    final boolean sent;

    NoResponseException(String message, boolean sent) {
      super(message);
      this.sent = sent;
    }
  }

  private final String address;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Hello hello;
  private final ConcurrentHashMap<Long, CompletableFuture<Frame>> pending =
      new ConcurrentHashMap<>();
  /** Request ids holding a credit until their response arrives, waited for or not. */
  private final Set<Long> credited = ConcurrentHashMap.newKeySet();
  private final Semaphore credits;
  private final LinkedBlockingQueue<OutgoingFrame> outbox = new LinkedBlockingQueue<>();
  private final AtomicReference<IOException> failure = new AtomicReference<>();

  private ClientConnection(String address, Socket socket, InputStream in, OutputStream out,
      Hello hello) {
    this.address = address;
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.hello = hello;
    this.credits = new Semaphore(hello.maxRequests());
  }

  /**
   * Connects, performs the handshake (and authentication) and starts the connection's threads.
   *
   * @throws IOException if the server cannot be reached or breaks the handshake
   * @throws RemoteStorageException if the server refuses (version, secret, busy, shutting down)
   */
  static ClientConnection open(ConnectionSettings settings, String threadPrefix)
      throws IOException {
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE,
        Math.max(1, settings.connectTimeout().toMillis()));
    Socket raw = new Socket();
    Socket socket = raw;
    try {
      raw.connect(new InetSocketAddress(settings.host(), settings.port()), timeoutMillis);
      raw.setTcpNoDelay(true);
      if (settings.tls() != null) {
        SSLSocket ssl = (SSLSocket) settings.tls().getSocketFactory()
            .createSocket(raw, settings.host(), settings.port(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        socket = ssl;
      }
      socket.setSoTimeout(timeoutMillis);
      if (socket instanceof SSLSocket ssl) {
        ssl.startHandshake();
      }
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      FrameIo.writePreamble(out, Protocol.VERSION);
      Hello hello = handshake(settings, in, out);
      socket.setSoTimeout(0);
      ClientConnection connection = new ClientConnection(settings.address(), socket, in, out, hello);
      connection.startThreads(threadPrefix);
      return connection;
    } catch (IOException | RuntimeException | Error e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Hello handshake(ConnectionSettings settings, InputStream in, OutputStream out)
      throws IOException {
    String address = settings.address();
    Hello hello = Hello.decode(readHandshakeReply(in, address), address);
    SharedSecret secret = settings.secret();
    if (hello.authRequired()) {
      if (secret == null) {
        throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
            "server at " + address + " requires a shared secret, and none is configured");
      }
      byte[] clientNonce = SharedSecret.newNonce();
      FrameEncoder auth = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Op.AUTH.code);
      auth.writeRaw(clientNonce).writeRaw(secret.clientProof(hello.nonce(), clientNonce));
      FrameIo.write(out, auth.finish());
      out.flush();
      PayloadReader proof = readHandshakeReply(in, address);
      byte[] serverProof = proof.readRaw(Protocol.MAC_LENGTH);
      proof.expectEnd();
      if (!SharedSecret.same(secret.serverProof(hello.nonce(), clientNonce), serverProof)) {
        throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
            "server at " + address + " did not prove that it knows the shared secret");
      }
    } else if (secret != null) {
      throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
          "server at " + address + " does not authenticate clients, but a shared secret is"
              + " configured: refusing to use it");
    }
    return hello;
  }

  /** Reads a handshake response: returns an OK payload, throws the refusal of an error. */
  private static PayloadReader readHandshakeReply(InputStream in, String address)
      throws IOException {
    Frame frame = FrameIo.read(in, Protocol.MAX_HANDSHAKE_FRAME_LENGTH);
    if (frame == null) {
      throw new EOFException("server at " + address + " closed the connection during the handshake");
    }
    if (frame.code() == Protocol.STATUS_ERROR) {
      throw ErrorCodec.decode(frame.reader());
    }
    if (frame.code() != Protocol.STATUS_OK || frame.requestId() != Protocol.HANDSHAKE_REQUEST_ID) {
      throw new ProtocolViolationException("server at " + address + " sent a bad handshake frame");
    }
    return frame.reader();
  }

  private void startThreads(String threadPrefix) {
    ClientThreads.start(threadPrefix + "-writer", this::writeLoop);
    ClientThreads.start(threadPrefix + "-reader", this::readLoop);
  }

  String address() {
    return address;
  }

  /** The server's hello on this connection. */
  Hello hello() {
    return hello;
  }

  boolean isBroken() {
    return failure.get() != null;
  }

  /**
   * Queues a request and returns the future of its response; a bounded one first waits for a
   * credit until the deadline.
   *
   * @throws NotSentException if the connection is broken (nothing was sent)
   * @throws NoResponseException if no credit came before the deadline (nothing was sent)
   * @throws StorageInterruptedException if interrupted while waiting for a credit (nothing sent)
   */
  CompletableFuture<Frame> send(OutgoingFrame frame, boolean bounded, long deadlineNanos,
      String what) throws IOException {
    return sendAfter(List.of(), frame, bounded, deadlineNanos, what);
  }

  /**
   * Queues one-way {@code before} frames and then {@code frame} back to back (a transaction's
   * stages and its vote), after taking {@code frame}'s credit if it is bounded, so that nothing is
   * sent unless all of it is.
   */
  CompletableFuture<Frame> sendAfter(List<OutgoingFrame> before, OutgoingFrame frame,
      boolean bounded, long deadlineNanos, String what) throws IOException {
    if (bounded) {
      takeCredit(deadlineNanos, what);
      credited.add(frame.requestId());
    }
    CompletableFuture<Frame> response = new CompletableFuture<>();
    pending.put(frame.requestId(), response);
    IOException broken = failure.get();
    if (broken != null) {
      pending.remove(frame.requestId());
      releaseCredit(frame.requestId());
      throw new NotSentException(broken);
    }
    outbox.addAll(before);
    outbox.add(frame);
    return response;
  }

  /** Queues a request whose response (if any) nobody waits for; it must not be bounded. */
  void sendOneWay(OutgoingFrame frame) throws NotSentException {
    IOException broken = failure.get();
    if (broken != null) {
      throw new NotSentException(broken);
    }
    outbox.add(frame);
  }

  /** Queues a one-way request if the connection still works; does nothing otherwise. */
  void sendOneWayQuietly(OutgoingFrame frame) {
    if (failure.get() == null) {
      outbox.add(frame);
    }
  }

  /** Sends and waits: {@link #send} then {@link #await}. */
  Frame call(OutgoingFrame frame, boolean bounded, long deadlineNanos, String what)
      throws IOException {
    return await(send(frame, bounded, deadlineNanos, what), frame.requestId(), deadlineNanos, what);
  }

  /**
   * Waits for a response until the deadline.
   *
   * @throws IOException if the connection broke first
   * @throws NoResponseException at the deadline (the request was sent)
   * @throws StorageInterruptedException if the thread is interrupted (the flag is set again)
   */
  Frame await(CompletableFuture<Frame> response, long requestId, long deadlineNanos, String what)
      throws IOException {
    try {
      return response.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      forget(requestId);
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(what + " to " + address + " was interrupted", e);
    } catch (TimeoutException e) {
      forget(requestId);
      throw new NoResponseException("no response to " + what + " from " + address + " in time",
          true);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Abandons a request: its response, should it still come, is discarded (its credit freed). */
  void forget(long requestId) {
    pending.remove(requestId);
  }

  /** Closes the connection: waiting calls fail, the server aborts this connection's transactions. */
  void close() {
    fail(new IOException("connection to " + address + " closed by the client"));
  }

  /** Marks the connection broken (once), closes it and fails every waiting call. */
  void fail(IOException cause) {
    if (!failure.compareAndSet(null, cause)) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
    outbox.clear();
    outbox.add(POISON);
    credits.release(); // wakes one waiter, which finds the connection broken and wakes the next
    for (Long id : pending.keySet()) {
      CompletableFuture<Frame> response = pending.remove(id);
      if (response != null) {
        response.completeExceptionally(cause);
      }
    }
  }

  private void takeCredit(long deadlineNanos, String what) throws IOException {
    boolean taken;
    try {
      taken = credits.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()),
          TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(what + " to " + address
          + " was interrupted while waiting to be sent", e);
    }
    if (!taken) {
      throw new NoResponseException(what + " to " + address + " not sent in time: "
          + hello.maxRequests() + " requests are outstanding on the connection, the most the"
          + " server accepts", false);
    }
    IOException broken = failure.get();
    if (broken != null) {
      credits.release(); // pass the wake-up on
      throw new NotSentException(broken);
    }
  }

  private void releaseCredit(long requestId) {
    if (credited.remove(requestId)) {
      credits.release();
    }
  }

  private void writeLoop() {
    try {
      while (true) {
        OutgoingFrame frame = outbox.take();
        if (frame == POISON) {
          return;
        }
        FrameIo.write(out, frame);
        if (outbox.isEmpty()) {
          out.flush();
        }
      }
    } catch (IOException e) {
      fail(e);
    } catch (InterruptedException e) {
      fail(new IOException("writer interrupted", e));
    }
  }

  private void readLoop() {
    try {
      while (true) {
        Frame frame = FrameIo.read(in, Protocol.MAX_FRAME_LENGTH);
        if (frame == null) {
          if (failure.get() == null) {
            LOG.info("server at {} closed the connection", address);
          }
          fail(new EOFException("server at " + address + " closed the connection"));
          return;
        }
        releaseCredit(frame.requestId());
        CompletableFuture<Frame> response = pending.remove(frame.requestId());
        if (response != null) {
          response.complete(frame);
        } else {
          LOG.debug("discarding the response to abandoned request {} from {}",
              frame.requestId(), address);
        }
      }
    } catch (IOException e) {
      if (failure.get() == null) {
        LOG.info("connection to {} lost: {}", address, e.toString());
      }
      fail(e);
    }
  }

  @Override
  public String toString() {
    return "ClientConnection[" + address + (isBroken() ? ", broken" : "") + "]";
  }
}
