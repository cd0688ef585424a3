package org.loomraid.backends.cli;

import java.io.UncheckedIOException;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Storage;

/**
 * The settings every serving command shares (address, port, shared secret, TLS), validated before
 * anything is opened: from the command line by {@link ServerArguments}, from a {@code raid}
 * configuration by {@link RaidConfig}.
 */
record ServerOptions(String bind, int port, byte[] secret, SSLContext tls) {

  /** The port a server listens on unless told otherwise. */
  static final int DEFAULT_PORT = 7070;

  /**
   * Starts a server of {@code storage} with these options.
   *
   * @throws IllegalArgumentException if the bind address does not resolve
   * @throws UncheckedIOException if the address cannot be bound
   */
  StorageServer start(Storage storage) {
    return builder(storage).start();
  }

  /**
   * Starts a server of a RAID with these options, serving its administration; the
   * administration's {@code add} opens backends by {@code specs}.
   */
  StorageServer start(RaidStorage raid, BackendSpecs specs) {
    return builder(raid).raidAdmin(raid.admin()).backendOpeners(specs).start();
  }

  private StorageServer.Builder builder(Storage storage) {
    StorageServer.Builder builder = StorageServer.builder(storage).bind(bind).port(port);
    if (secret != null) {
      builder.secret(secret);
    }
    if (tls != null) {
      builder.tls(tls);
    }
    return builder;
  }

  /** The line a serving command prints when it is ready; tests and scripts look for it. */
  static String readyLine(String what, StorageServer server) {
    return what + " on " + server.address().getAddress().getHostAddress() + ":" + server.port();
  }
}
