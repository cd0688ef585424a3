package org.loomraid.backends.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between a client and a server that a test can cut: like a network that
 * fails. {@link #swallowUpstream()} makes the current connections drop what the client sends
 * from now on (a request that is lost on the way), {@link #cut()} closes them on both sides. New
 * connections are forwarded normally.
 */
public final class CuttableProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int target;
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private final AtomicLong swallowed = new AtomicLong();
  private final Thread acceptor;

  /** Starts a proxy to the server on loopback port {@code target}. */
  public CuttableProxy(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = Thread.ofVirtual().name("test-proxy-accept").start(this::accept);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Bytes dropped by {@link #swallowUpstream()} so far. */
  public long swallowedBytes() {
    return swallowed.get();
  }

  /** From now on, the current connections drop what the client sends. */
  public void swallowUpstream() {
    pairs.forEach(pair -> pair.swallow = true);
  }

  /** Closes every current connection on both sides. */
  public void cut() {
    for (Pair pair : pairs) {
      pair.close();
    }
    pairs.clear();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cut();
    try {
      acceptor.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Pair pair = new Pair(client, server);
        pairs.add(pair);
        Thread.ofVirtual().name("test-proxy-up").start(() -> pump(pair, client, server, true));
        Thread.ofVirtual().name("test-proxy-down").start(() -> pump(pair, server, client, false));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Pair pair, Socket from, Socket to, boolean upstream) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        if (upstream && pair.swallow) {
          swallowed.addAndGet(n);
          continue;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut, or one side closed
    } finally {
      pair.close();
    }
  }

  private static final class Pair {
    final Socket client;
    final Socket server;
    volatile boolean swallow;

    Pair(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void close() {
      try {
        client.close();
      } catch (IOException e) {
        // closing anyway
      }
      try {
        server.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
