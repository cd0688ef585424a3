package org.loomraid.backends.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
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

  private final String address;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String serverStorageName;
  private final boolean raidAdmin;
  private final ConcurrentHashMap<Long, CompletableFuture<Frame>> pending =
      new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<OutgoingFrame> outbox = new LinkedBlockingQueue<>();
  private final AtomicReference<IOException> failure = new AtomicReference<>();

  private ClientConnection(String address, Socket socket, InputStream in, OutputStream out,
      String serverStorageName, boolean raidAdmin) {
    this.address = address;
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.serverStorageName = serverStorageName;
    this.raidAdmin = raidAdmin;
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
      ClientConnection connection = handshake(settings, socket, in, out);
      socket.setSoTimeout(0);
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

  private static ClientConnection handshake(ConnectionSettings settings, Socket socket,
      InputStream in, OutputStream out) throws IOException {
    String address = settings.address();
    PayloadReader hello = readHandshakeReply(in, address);
    int version = hello.readUnsignedShort();
    if (version != Protocol.VERSION) {
      throw new ProtocolViolationException(
          "server at " + address + " answered with protocol version " + version);
    }
    int flags = hello.readUnsignedByte();
    String storageName = hello.readString();
    SharedSecret secret = settings.secret();
    if ((flags & Protocol.FLAG_AUTH_REQUIRED) != 0) {
      byte[] serverNonce = hello.readRaw(Protocol.NONCE_LENGTH);
      hello.expectEnd();
      if (secret == null) {
        throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
            "server at " + address + " requires a shared secret, and none is configured");
      }
      byte[] clientNonce = SharedSecret.newNonce();
      FrameEncoder auth = new FrameEncoder(Protocol.HANDSHAKE_REQUEST_ID, Op.AUTH.code);
      auth.writeRaw(clientNonce).writeRaw(secret.clientProof(serverNonce, clientNonce));
      FrameIo.write(out, auth.finish());
      out.flush();
      PayloadReader proof = readHandshakeReply(in, address);
      byte[] serverProof = proof.readRaw(Protocol.MAC_LENGTH);
      proof.expectEnd();
      if (!SharedSecret.same(secret.serverProof(serverNonce, clientNonce), serverProof)) {
        throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
            "server at " + address + " did not prove that it knows the shared secret");
      }
    } else {
      hello.expectEnd();
      if (secret != null) {
        throw new RemoteStorageException(RemoteStorageException.AUTHENTICATION_FAILED,
            "server at " + address + " does not authenticate clients, but a shared secret is"
                + " configured: refusing to use it");
      }
    }
    return new ClientConnection(address, socket, in, out, storageName,
        (flags & Protocol.FLAG_RAID_ADMIN) != 0);
  }

  /** Reads a handshake response: returns an OK payload, throws the refusal of an error. */
  private static PayloadReader readHandshakeReply(InputStream in, String address)
      throws IOException {
    Frame frame = FrameIo.read(in, Protocol.MAX_HANDSHAKE_FRAME_LENGTH, null, 0);
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
    VirtualThreads.start(threadPrefix + "-writer", this::writeLoop);
    VirtualThreads.start(threadPrefix + "-reader", this::readLoop);
  }

  String address() {
    return address;
  }

  String serverStorageName() {
    return serverStorageName;
  }

  boolean raidAdmin() {
    return raidAdmin;
  }

  boolean isBroken() {
    return failure.get() != null;
  }

  /** Queues a request and returns the future of its response. */
  CompletableFuture<Frame> send(OutgoingFrame frame) throws NotSentException {
    CompletableFuture<Frame> response = new CompletableFuture<>();
    pending.put(frame.requestId(), response);
    IOException broken = failure.get();
    if (broken != null) {
      pending.remove(frame.requestId());
      throw new NotSentException(broken);
    }
    outbox.add(frame);
    return response;
  }

  /** Queues a request whose response (if any) nobody waits for. */
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
  Frame call(OutgoingFrame frame, long deadlineNanos, String what) throws IOException {
    return await(send(frame), frame.requestId(), deadlineNanos, what);
  }

  /**
   * Waits for a response until the deadline.
   *
   * @throws IOException if the connection broke first
   * @throws UncheckedIOException wrapping a {@link SocketTimeoutException} at the deadline
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
      throw new UncheckedIOException(new SocketTimeoutException(
          "no response to " + what + " from " + address + " in time"));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Abandons a request: its response, should it still come, is discarded. */
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
    for (Long id : pending.keySet()) {
      CompletableFuture<Frame> response = pending.remove(id);
      if (response != null) {
        response.completeExceptionally(cause);
      }
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
        Frame frame = FrameIo.read(in, Protocol.MAX_FRAME_LENGTH, null, 0);
        if (frame == null) {
          if (failure.get() == null) {
            LOG.info("server at {} closed the connection", address);
          }
          fail(new EOFException("server at " + address + " closed the connection"));
          return;
        }
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
