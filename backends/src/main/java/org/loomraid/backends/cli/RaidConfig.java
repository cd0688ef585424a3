package org.loomraid.backends.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.backends.remote.TlsContexts;
import org.loomraid.raid.FailMode;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.raid.Redundancy;
import org.loomraid.raid.WriteMode;

/**
 * A {@code loomraid raid} configuration: the RAID's backends and settings, the front-end server's
 * options and the remote backends' connection settings, all validated before anything opens.
 */
final class RaidConfig {

  private static final Set<String> KEYS = Set.of("name", "port", "bind", "secret-file",
      "tls-keystore", "tls-password-file", "backend-secret-file", "backend-tls-truststore",
      "backend-tls-password-file", "call-timeout", "commit-lock-timeout", "write-mode",
      "read-policy", "redundancy", "fail-mode", "auto-recover", "recovery-rate-limit",
      "postgres-credentials-file", "postgres-schema");

  private static final WriteMode WRITE_MODE = WriteMode.PARALLEL;
  private static final ReadPolicy READ_POLICY = ReadPolicy.RANDOM;
  private static final Redundancy REDUNDANCY = Redundancy.ANY;
  private static final FailMode FAIL_MODE = FailMode.CLOSE;
  private static final String POSTGRES_SCHEMA = "loomraid";

  private final RaidStorage.Builder raid;
  private final ServerOptions server;
  private final BackendSpecs specs;
  private final int backendCount;

  private RaidConfig(RaidStorage.Builder raid, ServerOptions server, BackendSpecs specs,
      int backendCount) {
    this.raid = raid;
    this.server = server;
    this.specs = specs;
    this.backendCount = backendCount;
  }

  static RaidConfig parse(Properties properties, String defaultName) throws UsageException {
    TreeMap<String, String> backends = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith("backend.")) {
        String name = key.substring("backend.".length());
        if (name.isBlank()) {
          throw new UsageException("configuration: '" + key + "' names no backend");
        }
        backends.put(name, properties.getProperty(key).strip());
      } else if (!KEYS.contains(key)) {
        throw new UsageException("configuration: unknown key '" + key + "'");
      }
    }
    if (backends.isEmpty()) {
      throw new UsageException("configuration: no backends (add lines backend.NAME = file:/dir,"
          + " backend.NAME = remote:HOST:PORT or backend.NAME = postgres:JDBC_URL)");
    }
    Duration callTimeout = duration(properties, "call-timeout", RaidStorage.DEFAULT_CALL_TIMEOUT);
    BackendSpecs specs = backendSpecs(properties, callTimeout);
    String name = value(properties, "name", defaultName);
    RaidStorage.Builder raid = RaidStorage.builder(name)
        .callTimeout(callTimeout)
        .commitLockTimeout(duration(properties, "commit-lock-timeout",
            RaidStorage.DEFAULT_COMMIT_LOCK_TIMEOUT))
        .writeMode(choice(properties, "write-mode", WriteMode.class, WRITE_MODE))
        .readPolicy(choice(properties, "read-policy", ReadPolicy.class, READ_POLICY))
        .redundancy(choice(properties, "redundancy", Redundancy.class, REDUNDANCY))
        .failMode(choice(properties, "fail-mode", FailMode.class, FAIL_MODE))
        .autoRecover(bool(properties, "auto-recover"))
        .recoveryRateLimit(count(properties, "recovery-rate-limit"));
    for (var backend : backends.entrySet()) {
      try {
        raid.backend(backend.getKey(), specs.opener(backend.getKey(), backend.getValue()));
      } catch (IllegalArgumentException e) {
        throw new UsageException("configuration: " + e.getMessage());
      }
    }
    ServerOptions server = new ServerOptions(
        value(properties, "bind", "127.0.0.1"),
        port(properties),
        Secrets.read(file(properties, "secret-file"), "secret-file"),
        tls(properties, "tls-keystore", "tls-password-file", true));
    return new RaidConfig(raid, server, specs, backends.size());
  }

  /**
   * The configuration's keys for {@code loomraid raid --help}, one line each with its default or
   * its choices; the choices come from the engine's enums, so a new one shows up by itself.
   */
  static String[] help() {
    List<String> lines = new ArrayList<>(List.of(
        "  backend.NAME = file:/directory | remote:HOST:PORT",
        "                 | postgres:jdbc:postgresql://HOST[:PORT]/DATABASE",
        "                                    one line per backend",
        "  name = NAME                       the RAID's name (default: the file's name)",
        key("port", ServerOptions.DEFAULT_PORT, "the front-end's port (0 picks a free one)"),
        key("bind", "127.0.0.1", "the front-end's address (0.0.0.0 for all)"),
        key("secret-file", "FILE", "the secret clients of the front-end prove"),
        key("tls-keystore", "FILE", "serve TLS with this keystore"),
        key("tls-password-file", "FILE", "its password (default: changeit)"),
        key("backend-secret-file", "FILE", "the secret of the remote backends"),
        key("backend-tls-truststore", "FILE", "TLS to remote backends, trusting FILE"),
        key("backend-tls-password-file", "FILE", "its password (default: changeit)"),
        key("postgres-credentials-file", "FILE", "user = ..., password = ... of the postgres:"),
        "                                    backends (NAME.user, NAME.password for one)",
        key("postgres-schema", POSTGRES_SCHEMA, "the schema of the postgres: backends"),
        key("call-timeout", OptionTypes.format(RaidStorage.DEFAULT_CALL_TIMEOUT),
            "one deadline per fan-out to the backends"),
        key("commit-lock-timeout", OptionTypes.format(RaidStorage.DEFAULT_COMMIT_LOCK_TIMEOUT),
            "the longest a commit waits for its turn"),
        key("write-mode", choices(WRITE_MODE), ""),
        key("read-policy", choices(READ_POLICY), ""),
        key("redundancy", choices(REDUNDANCY), ""),
        key("fail-mode", choices(FAIL_MODE), ""),
        key("auto-recover", "false | true", ""),
        key("recovery-rate-limit", 0, "bytes per second, 0 for no limit")));
    lines.add("The first value shown is the default. Durations: 500ms, 5s, 2m, 1h or PT5S;"
        + " choices are case-insensitive.");
    return lines.toArray(String[]::new);
  }

  private static String key(String key, Object value, String what) {
    String setting = "  " + key + " = " + value;
    return what.isEmpty() ? setting : String.format("%-36s%s", setting + " ", what);
  }

  /** The enum's constants, the default first. */
  private static <E extends Enum<E>> String choices(E fallback) {
    StringBuilder text = new StringBuilder(fallback.name());
    for (E constant : fallback.getDeclaringClass().getEnumConstants()) {
      if (constant != fallback) {
        text.append(" | ").append(constant.name());
      }
    }
    return text.toString();
  }

  RaidStorage.Builder raid() {
    return raid;
  }

  int backendCount() {
    return backendCount;
  }

  /** Starts the front-end server of {@code raid}; its administration can add backends by spec. */
  StorageServer server(RaidStorage opened) {
    return server.start(opened, specs);
  }

  private static BackendSpecs backendSpecs(Properties properties, Duration callTimeout)
      throws UsageException {
    BackendSpecs.Builder specs = BackendSpecs.builder().callTimeout(callTimeout.multipliedBy(2));
    byte[] secret = Secrets.read(file(properties, "backend-secret-file"), "backend-secret-file");
    if (secret != null) {
      specs.secret(secret);
    }
    SSLContext tls = tls(properties, "backend-tls-truststore", "backend-tls-password-file", false);
    if (tls != null) {
      specs.tls(tls);
    }
    specs.postgres(PostgresBackends.of(
        file(properties, "postgres-credentials-file"),
        value(properties, "postgres-schema", POSTGRES_SCHEMA)));
    return specs.build();
  }

  private static SSLContext tls(Properties properties, String storeKey, String passwordKey,
      boolean server) throws UsageException {
    Path store = file(properties, storeKey);
    if (store == null) {
      return null;
    }
    char[] password = Passwords.read(file(properties, passwordKey));
    try {
      return server ? TlsContexts.fromKeyStore(store, password)
          : TlsContexts.trusting(store, password);
    } catch (RuntimeException e) {
      throw new UsageException("configuration: " + storeKey + ": " + e.getMessage());
    }
  }

  private static String value(Properties properties, String key, String fallback) {
    String value = properties.getProperty(key);
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  private static Path file(Properties properties, String key) throws UsageException {
    String value = properties.getProperty(key);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OptionTypes.readableFile(value.strip());
    } catch (IllegalArgumentException e) {
      throw new UsageException("configuration: " + key + ": " + e.getMessage());
    }
  }

  private static int port(Properties properties) throws UsageException {
    String value = value(properties, "port", String.valueOf(ServerOptions.DEFAULT_PORT));
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("configuration: port must be in 0..65535, was '" + value + "'");
  }

  private static Duration duration(Properties properties, String key, Duration fallback)
      throws UsageException {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    try {
      return OptionTypes.parseDuration(value.strip());
    } catch (IllegalArgumentException e) {
      throw new UsageException("configuration: " + key + " " + e.getMessage());
    }
  }

  private static boolean bool(Properties properties, String key) throws UsageException {
    String value = value(properties, key, "false");
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException(
          "configuration: " + key + " must be true or false, was '" + value + "'");
    };
  }

  private static long count(Properties properties, String key) throws UsageException {
    String value = value(properties, key, "0");
    try {
      long count = Long.parseLong(value);
      if (count >= 0) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("configuration: " + key + " must be a number >= 0, was '"
        + value + "'");
  }

  private static <E extends Enum<E>> E choice(Properties properties, String key, Class<E> type,
      E fallback) throws UsageException {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("configuration: " + key + " must be one of "
          + Arrays.toString(type.getEnumConstants()) + ", was '" + value.strip() + "'");
    }
  }
}
