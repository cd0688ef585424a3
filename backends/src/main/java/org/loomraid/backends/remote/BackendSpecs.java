package org.loomraid.backends.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.raid.StorageOpener;

/**
 * Turns backend spec strings into {@link StorageOpener}s for a RAID: {@code file:/directory}
 * opens a {@code FileStorage} in that directory (creating it if missing), {@code remote:host:port} connects a
 * {@link RemoteStorage} with this object's connection settings (secret, TLS, timeouts). Used by
 * the {@code loomraid raid} configuration and by the administration's {@code add}. Further kinds
 * of backend join with {@link Builder#scheme}.
 */
public final class BackendSpecs {

  private final byte[] secret;
  private final SSLContext tls;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private final Map<String, SpecParser> schemes;

  /** Turns the specs of one more kind of backend into openers. */
  @FunctionalInterface
  public interface SpecParser {
    /**
     * Returns an opener for backend {@code name} at {@code spec} (which starts with the parser's
     * prefix).
     *
     * @throws IllegalArgumentException if the spec is malformed (the message names it)
     */
    StorageOpener opener(String name, String spec);
  }

  private BackendSpecs(Builder builder) {
    this.secret = builder.secret;
    this.tls = builder.tls;
    this.connectTimeout = builder.connectTimeout;
    this.callTimeout = builder.callTimeout;
    this.schemes = Map.copyOf(builder.schemes);
  }

  /** Specs with default settings for remote backends (no secret, no TLS, default timeouts). */
  public static BackendSpecs defaults() {
    return builder().build();
  }

  /** Returns a builder for the settings of remote backends. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an opener for the backend {@code name} at {@code spec}. The spec is checked now; the
   * storage is opened (or connected) each time the opener runs.
   *
   * @throws IllegalArgumentException if the spec is malformed (the message names it)
   */
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
    for (Map.Entry<String, SpecParser> scheme : schemes.entrySet()) {
      if (spec.startsWith(scheme.getKey())) {
        return scheme.getValue().opener(name, spec);
      }
    }
    StringBuilder prefixes = new StringBuilder("file:");
    schemes.keySet().stream().sorted().forEach(prefix -> prefixes.append(", ").append(prefix));
    throw new IllegalArgumentException("backend '" + name + "': spec '" + spec
        + "' must start with " + prefixes + " or remote:");
  }

  /** Settings for remote backends. */
  public static final class Builder {
    private byte[] secret;
    private SSLContext tls;
    private Duration connectTimeout = RemoteStorage.DEFAULT_CONNECT_TIMEOUT;
    private Duration callTimeout = RemoteStorage.DEFAULT_CALL_TIMEOUT;
    private final Map<String, SpecParser> schemes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Lets specs that start with {@code prefix} (such as {@code postgres:}) name backends, opened
     * by {@code parser}.
     *
     * @throws IllegalArgumentException if the prefix does not end with ':' or is file: or remote:
     */
    public Builder scheme(String prefix, SpecParser parser) {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(parser, "parser");
      if (!prefix.endsWith(":") || prefix.length() < 2 || prefix.equals("file:")
          || prefix.equals("remote:")) {
        throw new IllegalArgumentException("prefix must be a new scheme ending with ':', was '"
            + prefix + "'");
      }
      schemes.put(prefix, parser);
      return this;
    }

    /** The shared secret remote backends require (copied; at least 16 bytes). */
    public Builder secret(byte[] secret) {
      new SharedSecret(Objects.requireNonNull(secret, "secret"), "secret");
      this.secret = secret.clone();
      return this;
    }

    /** Connect to remote backends with TLS, trusting what {@code context} trusts. */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "tls");
      return this;
    }

    /** The connect timeout of remote backends. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** The call timeout of remote backends (the RAID's own deadline usually ends calls first). */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /** Returns the specs. */
    public BackendSpecs build() {
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
