package org.loomraid.backends.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.TlsContexts;
import picocli.CommandLine.Option;

/**
 * The command-line options every serving command shares ({@code --port}, {@code --bind},
 * {@code --secret-file}, {@code --tls-keystore}, {@code --tls-password-file}), mixed into the
 * command; {@link #options()} reads the files and validates them into {@link ServerOptions}
 * before anything is opened. Secrets and passwords come from files only, never from the command
 * line itself.
 */
final class ServerArguments {

  @Option(names = "--port", paramLabel = "PORT", converter = OptionTypes.Port.class,
      defaultValue = "" + ServerOptions.DEFAULT_PORT,
      description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  private int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all)")
  private String bind;

  @Option(names = "--secret-file", paramLabel = "FILE", converter = OptionTypes.ReadableFile.class,
      description = "require clients to prove the shared secret in FILE (16 bytes or more)")
  private Path secretFile;

  @Option(names = "--tls-keystore", paramLabel = "FILE",
      converter = OptionTypes.ReadableFile.class,
      description = "serve TLS with the key and certificate in keystore FILE")
  private Path tlsKeystore;

  @Option(names = "--tls-password-file", paramLabel = "FILE",
      converter = OptionTypes.ReadableFile.class,
      description = "password of the keystore, on the file's first line (default: changeit)")
  private Path tlsPasswordFile;

  /**
   * Reads the secret and the keystore and returns the validated options.
   *
   * @throws UsageException naming the option whose file is unusable
   */
  ServerOptions options() throws UsageException {
    byte[] secret = Secrets.read(secretFile, "secret-file");
    SSLContext tls = null;
    if (tlsKeystore != null) {
      try {
        tls = TlsContexts.fromKeyStore(tlsKeystore, Passwords.read(tlsPasswordFile));
      } catch (UncheckedIOException | IllegalArgumentException e) {
        throw new UsageException("--tls-keystore: " + e.getMessage());
      }
    } else if (tlsPasswordFile != null) {
      throw new UsageException("--tls-password-file is the password of --tls-keystore,"
          + " which is missing");
    }
    return new ServerOptions(bind, port, secret, tls);
  }
}
