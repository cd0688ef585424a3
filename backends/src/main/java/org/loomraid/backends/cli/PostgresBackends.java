package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.loomraid.backends.postgres.PostgresStorage;
import org.loomraid.raid.StorageOpener;

/**
 * The {@code postgres:} backend spec of a RAID front-end: {@code postgres:jdbc:postgresql://host:5432/db}
 * opens a {@link PostgresStorage} in that database, in the schema the configuration's
 * {@code postgres-schema} names (default {@code loomraid}), with a pool of its own.
 *
 * <p>Credentials never appear in a spec (a spec is shown by {@code ctl details} and may be typed
 * on a command line by {@code ctl add}): a spec whose URL carries a {@code user} or
 * {@code password} parameter is refused. They come from the properties file that
 * {@code postgres-credentials-file} names: {@code user} and {@code password} for every PostgreSQL
 * backend, {@code NAME.user} and {@code NAME.password} for backend NAME alone. The file is read
 * when the configuration is.
 */
final class PostgresBackends {

  /** The spec prefix. */
  static final String PREFIX = "postgres:";

  /** No credentials file, the default schema: for specs parsed without a configuration. */
  static final PostgresBackends DEFAULTS = new PostgresBackends(new Properties(), null, "loomraid");

  private final Properties credentials;
  private final Path credentialsFile;
  private final String schema;

  private PostgresBackends(Properties credentials, Path credentialsFile, String schema) {
    this.credentials = credentials;
    this.credentialsFile = credentialsFile;
    this.schema = schema;
  }

  /**
   * Reads the credentials file (null for none: then the server must let the connections in
   * without) and checks the schema name.
   *
   * @throws UsageException naming the setting if either is unusable
   */
  static PostgresBackends of(Path credentialsFile, String schema) throws UsageException {
    try {
      PostgresStorage.builder("jdbc:postgresql:").schema(schema); // the storage's own check
    } catch (IllegalArgumentException e) {
      throw new UsageException("configuration: postgres-schema: " + e.getMessage());
    }
    Properties credentials = new Properties();
    if (credentialsFile != null) {
      try (Reader reader = Files.newBufferedReader(credentialsFile, StandardCharsets.UTF_8)) {
        credentials.load(reader);
      } catch (IOException | IllegalArgumentException e) {
        throw new UsageException("configuration: postgres-credentials-file: cannot read "
            + credentialsFile + ": " + e.getMessage());
      }
    }
    return new PostgresBackends(credentials, credentialsFile, schema);
  }

  /**
   * Returns an opener for backend {@code name} at {@code spec}, which starts with {@link #PREFIX}.
   *
   * @throws IllegalArgumentException if the spec is malformed or carries credentials
   */
  StorageOpener opener(String name, String spec) {
    String url = spec.substring(PREFIX.length());
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("backend '" + name + "': spec must be "
          + PREFIX + "jdbc:postgresql://HOST[:PORT]/DATABASE, was '" + redact(spec) + "'");
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.contains("password=") || lower.contains("user=")) {
      throw new IllegalArgumentException("backend '" + name + "': spec '" + redact(spec)
          + "' carries credentials; put them in the file that postgres-credentials-file names"
          + " (user = ..., password = ..., or " + name + ".user, " + name + ".password)");
    }
    String user = value(name, "user");
    String password = value(name, "password");
    if (user == null && password != null) {
      throw new IllegalArgumentException("backend '" + name + "': "
          + credentialsFile + " gives a password but no user");
    }
    return () -> {
      PostgresStorage.Builder storage = PostgresStorage.builder(url).name(name).schema(schema);
      if (user != null) {
        storage.credentials(user, password == null ? "" : password);
      }
      return storage.open();
    };
  }

  private String value(String backend, String key) {
    String own = credentials.getProperty(backend + "." + key);
    String value = own != null ? own : credentials.getProperty(key);
    return value == null ? null : value.strip();
  }

  private static String redact(String spec) {
    return spec.replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
