package org.loomraid.backends.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of one test's own, in a data directory the test owns, for scenarios that
 * stop or reconfigure a server: stopped hard ({@code pg_ctl stop -m immediate}: every server
 * process ends at once, nothing is checkpointed, and the next start runs crash recovery) and
 * started again on the same directory and port. The embedded binaries do the work; closing stops
 * whatever server runs on the directory.
 */
final class DedicatedServer implements AutoCloseable {

  private final EmbeddedPostgres first;
  private final Path dataDirectory;
  private final Path binaries;
  private final Map<String, String> config;

  private DedicatedServer(EmbeddedPostgres first, Path dataDirectory, Map<String, String> config)
      throws IOException {
    this.first = first;
    this.dataDirectory = dataDirectory;
    this.config = config;
    long postmaster = Long.parseLong(
        Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    String executable = ProcessHandle.of(postmaster).orElseThrow().info().command().orElseThrow();
    this.binaries = Path.of(executable).getParent();
  }

  /** Starts a fresh server in {@code dataDirectory} with the shared settings plus {@code extra}. */
  static DedicatedServer start(Path dataDirectory, Map<String, String> extra) {
    Map<String, String> config = new LinkedHashMap<>(TestDatabases.SERVER_CONFIG);
    config.putAll(extra);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(true);
    config.forEach(builder::setServerConfig);
    try {
      return new DedicatedServer(builder.start(), dataDirectory, config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a dedicated PostgreSQL server", e);
    }
  }

  int port() {
    return first.getPort();
  }

  /** Returns the JDBC URL of {@code database} (user postgres, no password needed). */
  String url(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  /** Stops the server the hard way: every process quits at once, without a checkpoint. */
  void stopImmediately() {
    pgCtl("stop", "-D", dataDirectory.toString(), "-m", "immediate", "-w", "-t", "30");
  }

  /** Starts the server again on the same data directory and port, and waits until it is up. */
  void restart() {
    StringBuilder options = new StringBuilder("-p " + port() + " -F");
    config.forEach((key, value) -> options.append(" -c ").append(key).append('=').append(value));
    pgCtl("start", "-D", dataDirectory.toString(), "-w", "-t", "60",
        "-l", dataDirectory.resolveSibling("restart.log").toString(), "-o", options.toString());
  }

  private void pgCtl(String... arguments) {
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      // As the embedded server itself does: PostgreSQL refuses to run as root, and in a user
      // namespace of its own it does not (the build here runs as root).
      command.addAll(List.of("unshare", "-U"));
    }
    command.add(binaries.resolve("pg_ctl").toString());
    command.addAll(List.of(arguments));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** Stops the server running on the directory (the first one, or the restarted one). */
  @Override
  public void close() {
    try {
      first.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
