package org.loomraid.backends.cli;

import java.io.UncheckedIOException;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.backends.remote.TlsContexts;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Storage;

/**
 * The options every serving command shares ({@code --port}, {@code --bind}, {@code --secret-file},
 * {@code --tls-keystore}, {@code --tls-password-file}), validated before anything is opened.
 */
record ServerOptions(String bind, int port, byte[] secret, SSLContext tls) {

  static final int DEFAULT_PORT = 7070;

  /** The option names, for {@link Command#valuedOptions()}. */
  static final Set<String> NAMES =
      Set.of("port", "bind", "secret-file", "tls-keystore", "tls-password-file");

  static ServerOptions from(Arguments arguments) throws UsageException {
    int port = arguments.port("port", DEFAULT_PORT);
    String bind = arguments.string("bind", "127.0.0.1");
    byte[] secret = Secrets.read(arguments.file("secret-file"), "secret-file");
    SSLContext tls = null;
    if (arguments.has("tls-keystore")) {
      try {
        tls = TlsContexts.fromKeyStore(arguments.file("tls-keystore"),
            Passwords.read(arguments.file("tls-password-file")));
      } catch (UncheckedIOException | IllegalArgumentException e) {
        throw new UsageException("--tls-keystore: " + e.getMessage());
      }
    }
    return new ServerOptions(bind, port, secret, tls);
  }

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
