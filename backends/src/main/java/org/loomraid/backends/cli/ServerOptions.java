package org.loomraid.backends.cli;

import java.io.UncheckedIOException;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.BackendSpecs;
import org.loomraid.backends.remote.StorageServer;
import org.loomraid.backends.remote.TlsContexts;
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
    return start(storage, BackendSpecs.defaults());
  }

  /** Starts a server of {@code storage}; a served RAID's administration adds backends by {@code specs}. */
  StorageServer start(Storage storage, BackendSpecs specs) {
    StorageServer.Builder builder = StorageServer.builder(storage).bind(bind).port(port)
        .backendSpecs(specs);
    if (secret != null) {
      builder.secret(secret);
    }
    if (tls != null) {
      builder.tls(tls);
    }
    return builder.start();
  }

  /** The line a serving command prints when it is ready; tests and scripts look for it. */
  static String readyLine(String what, StorageServer server) {
    return what + " on " + server.address().getAddress().getHostAddress() + ":" + server.port();
  }
}
