package org.loomraid.backends.remote.server;

/** Lets tests of other packages look at a server's internals. */
public final class ServerProbe {

  /** The most open transaction iterators per connection. */
  public static final int MAX_OPEN_CURSORS = RequestHandler.MAX_OPEN_CURSORS;

  private ServerProbe() {}

  /** Requests executing and transactions voted but not finished. */
  public static long activeWork(StorageServer server) {
    return server.activity().active();
  }

  /** Connections in the middle of receiving a frame. */
  public static int framesInProgress(StorageServer server) {
    return server.framesInProgress();
  }
}
