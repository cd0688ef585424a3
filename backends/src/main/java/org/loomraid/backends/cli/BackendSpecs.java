package org.loomraid.backends.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.server.BackendOpeners;
import org.loomraid.raid.StorageOpener;

/**
 * Turns backend spec strings into {@link StorageOpener}s for a RAID: {@code file:/directory}
 * opens a {@code FileStorage} in that directory (creating it if missing), {@code remote:host:port} connects a
 * {@link RemoteStorage} with this object's connection settings (secret, TLS, timeouts),
 * {@code postgres:jdbc:postgresql://host/db} opens a {@code PostgresStorage} with the credentials
 * and schema of {@link PostgresBackends}. Used by
 * the {@code loomraid raid} configuration and, as the front-end server's {@link BackendOpeners}, by
 * the administration's {@code add}.
 */
final class BackendSpecs implements BackendOpeners {

  private final byte[] secret;
  private final SSLContext tls;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private final PostgresBackends postgres;

  private BackendSpecs(Builder builder) {
    this.secret = builder.secret;
    this.tls = builder.tls;
    this.connectTimeout = builder.connectTimeout;
    this.callTimeout = builder.callTimeout;
    this.postgres = builder.postgres;
  }

  /** Specs with default settings for remote backends (no secret, no TLS, default timeouts). */
  static BackendSpecs defaults() {
    return builder().build();
  }

  /** Returns a builder for the settings of remote backends. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an opener for the backend {@code name} at {@code spec}. The spec is checked now; the
   * storage is opened (or connected) each time the opener runs.
   *
   * @throws IllegalArgumentException if the spec is malformed (the message names it)
   */
  @Override
  public StorageOpener opener(String name, String spec) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    if (spec.startsWith("file:")) {
      String dir = spec.substring("file:".length());
      if (dir.isBlank()) {
        throw new IllegalArgumentException("backend '" + name + "': spec '" + spec
            + "' names no directory (file:/path/to/dir)");
      }
      Path directory = Path.of(dir);
      return () -> FileStorage.builder(Files.createDirectories(directory)).name(name).open();
    }
    if (spec.startsWith("remote:")) {
      String address = spec.substring("remote:".length());
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || colon == address.length() - 1) {
        throw new IllegalArgumentException("backend '" + name + "': spec '" + spec
            + "' must be remote:HOST:PORT");
      }
      String host = address.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("backend '" + name + "': spec '" + spec
            + "' has no valid port");
      }
      RemoteStorage.Builder client = RemoteStorage.builder(host, port)
          .name(name).connectTimeout(connectTimeout).callTimeout(callTimeout);
      if (secret != null) {
        client.secret(secret);
      }
      if (tls != null) {
        client.tls(tls);
      }
      return client::connect;
    }
    if (spec.startsWith(PostgresBackends.PREFIX)) {
      return postgres.opener(name, spec);
    }
    throw new IllegalArgumentException("backend '" + name + "': spec '" + spec
        + "' must start with file:, postgres: or remote:");
  }

  /** Settings for remote backends. */
  static final class Builder {
    private byte[] secret;
    private SSLContext tls;
    private Duration connectTimeout = RemoteStorage.DEFAULT_CONNECT_TIMEOUT;
    private Duration callTimeout = RemoteStorage.DEFAULT_CALL_TIMEOUT;
    private PostgresBackends postgres = PostgresBackends.DEFAULTS;

    private Builder() {}

    /** The shared secret remote backends require (copied; {@link Secrets} checked its length). */
    Builder secret(byte[] secret) {
      this.secret = Objects.requireNonNull(secret, "secret").clone();
      return this;
    }

    /** Connect to remote backends with TLS, trusting what {@code context} trusts. */
    Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "tls");
      return this;
    }

    /** The connect timeout of remote backends. */
    Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** The call timeout of remote backends (the RAID's own deadline usually ends calls first). */
    Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /** The credentials and schema of {@code postgres:} backends. */
    Builder postgres(PostgresBackends backends) {
      this.postgres = Objects.requireNonNull(backends, "postgres");
      return this;
    }

    /** Returns the specs. */
    BackendSpecs build() {
      return new BackendSpecs(this);
    }

    private static Duration positive(Duration value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + value);
      }
      return value;
    }
  }
}
