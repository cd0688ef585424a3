package org.loomraid.backends.remote.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.FrameIo;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.SharedSecret;
import org.loomraid.raid.RaidAdmin;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves any {@link Storage} (a file storage, a memory storage, a whole RAID) over TCP with the
 * loomraid protocol ({@code docs/protocol.md}), for {@code RemoteStorage} clients.
 *
 * <pre>{@code
 * try (StorageServer server = StorageServer.builder(storage).port(7070).start()) {
 *   ... // clients connect with RemoteStorage.connect("127.0.0.1", server.port())
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Binds to the loopback address unless {@link Builder#bind(InetAddress)} says otherwise;
 *       port 0 picks a free port ({@link #port()} tells which).</li>
 *   <li>One virtual thread per connection reads its frames; each request that calls the storage
 *       runs on a virtual thread of its own, so a client can pipeline requests on one connection.
 *       </li>
 *   <li>Transactions belong to their connection: one that drops aborts its open transactions
 *       (a transaction whose commit has arrived finishes it), which releases the storage's commit
 *       lock. An abort that follows a commit waits for and reports the commit's outcome, and a
 *       client that lost its connection can ask the outcome of its transaction by tid.</li>
 *   <li>A frame's payload is allocated as its bytes arrive, so a peer that announces large frames
 *       and sends nothing holds a small constant per connection.</li>
 *   <li>A tid above {@code Tid.MAX} or an oid above {@code Oid.MAX} is refused with a clear error
 *       before the served storage sees it.</li>
 *   <li>Garbage on a connection (bad preamble, oversized, truncated, malformed frame, unknown
 *       operation, wrong secret, wrong protocol version) closes that connection with one WARN
 *       line. Other connections and the stored data are not touched.</li>
 *   <li>Optional shared-secret authentication (mutual challenge-response, constant-time
 *       comparison) and TLS ({@link Builder#tls(SSLContext)}).</li>
 *   <li>Given a RAID's administration ({@link Builder#raidAdmin(RaidAdmin)}), it serves that too
 *       (status, backends, disable, recover, add, remove, scrub), for {@code RemoteRaidAdmin} and
 *       {@code loomraid ctl}.</li>
 *   <li>{@link #close()} stops accepting, refuses new work, lets voted transactions and requests
 *       in flight finish for up to the drain timeout, then closes every connection.</li>
 * </ul>
 * The served storage is not closed by the server: whoever opened it closes it, after the server.
 */
public final class StorageServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

  /** The default bound on a graceful shutdown's wait for work in flight. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** The default number of requests a client may have outstanding on one connection. */
  public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 64;

  private final Storage storage;
  private final SharedSecret secret;
  private final ServerSocket serverSocket;
  private final String label;
  private final int handshakeTimeoutMillis;
  private final int frameTimeoutMillis;
  private final int maxRequestsPerConnection;
  private final long maxStagedBytes;
  private final Duration drainTimeout;
  private final RaidAdministration administration;
  private final StorageLimits announcedLimits;
  private final Semaphore connectionPermits;
  private final ActivityCounter activity = new ActivityCounter();
  private final OpenTransactions openTransactions = new OpenTransactions();
  private final AtomicInteger framesInProgress = new AtomicInteger();
  private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionNumbers = new AtomicLong(1);
  /** Serialises {@link #shutdown(Duration)}: one caller drains, later ones find it done. */
  private final ReentrantLock shutdownLock = new ReentrantLock();
  private final Thread acceptor;
  private volatile boolean draining;
  private boolean shutDown;

  private StorageServer(Builder builder, ServerSocket serverSocket) {
    this.storage = builder.storage;
    this.secret = builder.secret;
    this.serverSocket = serverSocket;
    this.label = "server '" + storage.name() + "' on "
        + serverSocket.getInetAddress().getHostAddress() + ":" + serverSocket.getLocalPort();
    this.handshakeTimeoutMillis = toMillis(builder.handshakeTimeout);
    this.frameTimeoutMillis = toMillis(builder.frameTimeout);
    this.maxRequestsPerConnection = builder.maxRequestsPerConnection;
    this.maxStagedBytes = builder.maxStagedBytes;
    this.drainTimeout = builder.drainTimeout;
    this.administration = builder.administration != null
        ? builder.administration
        : builder.raidAdmin != null
            ? new RaidAdminAdministration(builder.raidAdmin, builder.backendOpeners)
            : RaidAdministration.none(storage.name());
    StorageLimits limits = storage.limits();
    this.announcedLimits = limits
        .withMaxTransactionSize(Math.min(limits.maxTransactionSize(), maxStagedBytes))
        .withMaxMetaSize(Math.min(limits.maxMetaSize(), Protocol.MAX_META_SIZE));
    this.connectionPermits = new Semaphore(builder.maxConnections);
    this.acceptor = ServerThreads.start(threadName("accept"), this::acceptLoop);
  }

  /** Returns a builder for a server of {@code storage}. */
  public static Builder builder(Storage storage) {
    return new Builder(storage);
  }

  /** Returns the port the server listens on (the chosen one if it was configured as 0). */
  public int port() {
    return serverSocket.getLocalPort();
  }

  /** Returns the address and port the server listens on. */
  public InetSocketAddress address() {
    return new InetSocketAddress(serverSocket.getInetAddress(), serverSocket.getLocalPort());
  }

  /** Returns the served storage. */
  public Storage storage() {
    return storage;
  }

  /** Returns the number of open client connections. */
  public int connectionCount() {
    return connections.size();
  }

  /** Returns whether the server has begun shutting down. */
  public boolean isClosed() {
    return draining;
  }

  /** Shuts down gracefully within the builder's drain timeout; see {@link #shutdown(Duration)}. */
  @Override
  public void close() {
    shutdown(drainTimeout);
  }

  /**
   * Shuts down: stops accepting connections; refuses new requests with a "shutting down" error
   * (commits and aborts of already voted transactions are still served); waits up to
   * {@code drainTimeout} for requests in flight and voted transactions to finish; then closes every
   * connection (aborting what is still open) and waits briefly for their threads. Idempotent.
   *
   * @return whether everything in flight finished within the bound
   */
  public boolean shutdown(Duration drainTimeout) {
    requirePositive(drainTimeout, "drainTimeout");
    shutdownLock.lock();
    try {
      if (shutDown) {
        return true;
      }
      shutDown = true;
      draining = true;
      closeQuietly(serverSocket);
      boolean drained;
      try {
        drained = activity.awaitIdle(drainTimeout.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drained = false;
      }
      if (!drained) {
        LOG.warn("{}: {} requests or voted transactions still open after {}; closing anyway",
            label, activity.active(), drainTimeout);
      }
      List<ServerConnection> open = new ArrayList<>(connections);
      open.forEach(ServerConnection::close);
      joinQuietly(acceptor);
      for (ServerConnection connection : open) {
        joinQuietly(connection.thread());
      }
      LOG.info("{}: stopped", label);
      return drained;
    } finally {
      shutdownLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "StorageServer[" + label + (draining ? ", closed" : "") + "]";
  }

  // --- for the connections ---

  SharedSecret secret() {
    return secret;
  }

  String label() {
    return label;
  }

  String threadName(String role) {
    return "loomraid-server-" + port() + "-" + role;
  }

  int handshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  int frameTimeoutMillis() {
    return frameTimeoutMillis;
  }

  int maxRequestsPerConnection() {
    return maxRequestsPerConnection;
  }

  long maxStagedBytes() {
    return maxStagedBytes;
  }

  ActivityCounter activity() {
    return activity;
  }

  RaidAdministration administration() {
    return administration;
  }

  OpenTransactions openTransactions() {
    return openTransactions;
  }

  /** The limits told to clients: the storage's, within what the server accepts. */
  StorageLimits announcedLimits() {
    return announcedLimits;
  }

  void frameBegun() {
    framesInProgress.incrementAndGet();
  }

  void frameEnded() {
    framesInProgress.decrementAndGet();
  }

  /** How many connections are in the middle of receiving a frame (header read, payload not). */
  int framesInProgress() {
    return framesInProgress.get();
  }

  boolean isDraining() {
    return draining;
  }

  void connectionEnded(ServerConnection connection) {
    if (connections.remove(connection)) {
      connectionPermits.release();
    }
  }

  private void acceptLoop() {
    while (!draining) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        if (!draining) {
          LOG.error("{}: accepting connections failed; the server no longer accepts", label, e);
        }
        return;
      }
      try {
        socket.setTcpNoDelay(true);
      } catch (IOException e) {
        LOG.debug("could not set TCP_NODELAY", e);
      }
      if (!connectionPermits.tryAcquire()) {
        refuseBusy(socket);
        continue;
      }
      ServerConnection connection =
          new ServerConnection(this, socket, connectionNumbers.getAndIncrement());
      connections.add(connection);
      if (draining) {
        connection.close();
        connectionEnded(connection);
        return;
      }
      connection.start();
    }
  }

  /** Answers a connection beyond the limit with one BUSY error frame, on its own thread. */
  private void refuseBusy(Socket socket) {
    LOG.warn("{}: refusing a connection from {}: already {} connections", label,
        socket.getRemoteSocketAddress(), connections.size());
    ServerThreads.start(threadName("refuse"), () -> {
      try (socket) {
        socket.setSoTimeout(handshakeTimeoutMillis);
        var out = socket.getOutputStream();
        FrameIo.write(out, RequestHandler.refusal(Protocol.HANDSHAKE_REQUEST_ID, ErrorType.BUSY,
            "server has too many connections"));
        out.flush();
      } catch (IOException e) {
        LOG.debug("refusing a connection failed", e);
      }
    });
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing the server socket failed", e);
    }
  }

  private void joinQuietly(Thread thread) {
    if (thread == null) {
      return;
    }
    try {
      if (!thread.join(Duration.ofSeconds(5))) {
        LOG.warn("{}: thread {} did not end within 5 s; leaving it", label, thread.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int toMillis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }

  private static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return value;
  }

  /** Settings for a {@link StorageServer}; {@link #start()} validates and binds. */
  public static final class Builder {
    private final Storage storage;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private SharedSecret secret;
    private SSLContext tls;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration frameTimeout = Duration.ofSeconds(30);
    private int maxConnections = 256;
    private int maxRequestsPerConnection = DEFAULT_MAX_REQUESTS_PER_CONNECTION;
    private long maxStagedBytes = 1L << 30;
    private RaidAdministration administration;
    private RaidAdmin raidAdmin;
    private BackendOpeners backendOpeners;

    private Builder(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The address to listen on; default the loopback address (127.0.0.1). */
    public Builder bind(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "bind");
      return this;
    }

    /**
     * The address to listen on, as a host name or literal ({@code 0.0.0.0} for every interface).
     *
     * @throws IllegalArgumentException if the name does not resolve
     */
    public Builder bind(String host) {
      Objects.requireNonNull(host, "bind");
      try {
        this.bindAddress = InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("bind address '" + host + "' does not resolve", e);
      }
      return this;
    }

    /** The TCP port, 0 (default) for any free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Requires clients to prove they know this secret (at least 16 bytes; copied). Without TLS the
     * secret still never crosses the wire, but the traffic is not encrypted.
     */
    public Builder secret(byte[] secret) {
      this.secret = new SharedSecret(Objects.requireNonNull(secret, "secret"), "secret");
      return this;
    }

    /** Serves TLS with this context's key material (see {@link TlsContexts}). */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "tls");
      return this;
    }

    /** How long {@link StorageServer#close()} waits for work in flight; default 10 s. */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = requirePositive(timeout, "drainTimeout");
      return this;
    }

    /** How long a new connection may take to complete the handshake; default 10 s. */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = requirePositive(timeout, "handshakeTimeout");
      return this;
    }

    /** How long the rest of a frame may take to arrive once it has begun; default 30 s. */
    public Builder frameTimeout(Duration timeout) {
      this.frameTimeout = requirePositive(timeout, "frameTimeout");
      return this;
    }

    /** The most connections served at once; more are refused with a BUSY error. Default 256. */
    public Builder maxConnections(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + max);
      }
      this.maxConnections = max;
      return this;
    }

    /**
     * The most requests a client may have outstanding on one connection; default 64. Clients
     * learn it in the hello and wait before sending more; a request beyond it is refused at once
     * with {@code TOO_MANY_REQUESTS}, never queued (the connection's reader never stops reading).
     * Commits, aborts and iterator closes do not count, so they never wait behind the requests
     * they would release.
     */
    public Builder maxRequestsPerConnection(int max) {
      if (max < 1) {
        throw new IllegalArgumentException(
            "maxRequestsPerConnection must be at least 1, was " + max);
      }
      this.maxRequestsPerConnection = max;
      return this;
    }

    /**
     * The most bytes of transaction data one connection may have staged and not yet voted;
     * a larger transaction is refused at its vote with {@link IllegalArgumentException}. Default
     * 1 GiB.
     */
    public Builder maxStagedBytes(long max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxStagedBytes must be at least 1, was " + max);
      }
      this.maxStagedBytes = max;
      return this;
    }

    /**
     * Serves this RAID's administration (status, backends, disable, recover, add, remove, scrub) to
     * {@code RemoteRaidAdmin} and {@code loomraid ctl}; without it, those requests are refused
     * with {@code NOT_A_RAID}. Usually the served RAID's own {@code admin()}.
     */
    public Builder raidAdmin(RaidAdmin admin) {
      this.raidAdmin = Objects.requireNonNull(admin, "raidAdmin");
      return this;
    }

    /**
     * How the administration's {@code add} opens a backend given by a spec string; without it,
     * adding a backend remotely is refused with a message that says so.
     */
    public Builder backendOpeners(BackendOpeners openers) {
      this.backendOpeners = Objects.requireNonNull(openers, "backendOpeners");
      return this;
    }

    Builder administration(RaidAdministration administration) {
      this.administration = Objects.requireNonNull(administration, "administration");
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound (for example the port is taken)
     */
    public StorageServer start() {
      ServerSocket socket = null;
      try {
        socket = tls != null
            ? tls.getServerSocketFactory().createServerSocket()
            : new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(bindAddress, port), 128);
        StorageServer server = new StorageServer(this, socket);
        LOG.info("{}: listening{}{}", server.label, tls != null ? ", TLS" : "",
            secret != null ? ", shared secret required" : "");
        return server;
      } catch (IOException e) {
        if (socket != null) {
          closeQuietly(socket);
        }
        throw new UncheckedIOException(
            "cannot listen on " + bindAddress.getHostAddress() + ":" + port + ": " + e.getMessage(),
            e);
      }
    }
  }
}
