package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;

/** {@code loomraid raid}: a RAID front-end over the backends a properties file names. */
final class RaidCommand implements Command {

  @Override
  public String name() {
    return "raid";
  }

  @Override
  public String summary() {
    return "serve a RAID over file:, remote: and postgres: backends, configured by a properties file";
  }

  @Override
  public String usage() {
    return """
        usage: loomraid raid --config F

        Opens a RAID over the backends named in the properties file F and serves it over the
        loomraid protocol: applications use it with RemoteStorage, operators with loomraid ctl.
        Prints "serving RAID 'NAME' (N backends) on HOST:PORT" when ready; stops gracefully on
        Ctrl-C or SIGTERM (printing "loomraid raid: stopped").

        configuration (properties; only backend.* is required):
          backend.NAME = file:/directory | remote:HOST:PORT | postgres:jdbc:postgresql://HOST/DB
                                              one line per backend
          name = NAME                         the RAID's name (default: the file's name)
          port = 7070                         the front-end's port (0 picks a free one)
          bind = 127.0.0.1                    the front-end's address (0.0.0.0 for all)
          secret-file = F                     clients of the front-end must prove this secret
          tls-keystore = F                    serve TLS with this keystore
          tls-password-file = F               its password (default: changeit)
          backend-secret-file = F             the secret of the remote backends
          backend-tls-truststore = F          connect to remote backends with TLS, trusting F
          backend-tls-password-file = F       its password (default: changeit)
          postgres-credentials-file = F       user = ..., password = ... of the postgres:
                                              backends (NAME.user, NAME.password for one)
          postgres-schema = loomraid          the schema of the postgres: backends
          call-timeout = 5s                   one deadline per fan-out to the backends
          commit-lock-timeout = 30s
          write-mode = PARALLEL | SEQUENTIAL
          read-policy = RANDOM | ROUND_ROBIN
          redundancy = ANY | MAJORITY
          fail-mode = CLOSE | READ_ONLY
          auto-recover = false | true
          recovery-rate-limit = 0             bytes per second, 0 for no limit

        options:
          --config F    the configuration file (required)
          --help        show this help

        exit codes: 1 cannot open the RAID or listen, 3 bad arguments or a bad configuration;
                    stopped by a signal, the JVM's usual 130 (SIGINT) or 143 (SIGTERM)
        """;
  }

  @Override
  public Set<String> valuedOptions() {
    return Set.of("config");
  }

  @Override
  public Set<String> flags() {
    return Set.of();
  }

  @Override
  public int run(Arguments arguments, PrintStream out, PrintStream err) throws UsageException {
    if (!arguments.positional().isEmpty()) {
      throw new UsageException("unexpected argument '" + arguments.positional().get(0) + "'");
    }
    Path file = arguments.file("config");
    if (file == null) {
      throw new UsageException("option --config is required");
    }
    RaidConfig config = RaidConfig.parse(load(file), defaultName(file));
    Running running = new Running().closeOnExit("raid");
    running.add(() -> {
      out.println("loomraid raid: stopped");
      out.flush();
    });
    try {
      RaidStorage raid = running.add(config.raid().open());
      StorageServer server = running.add(config.server(raid));
      out.println(ServerOptions.readyLine("serving RAID '" + raid.name() + "' ("
          + config.backendCount() + " backends, " + raid.status() + ")", server));
      out.flush();
    } catch (RuntimeException e) {
      running.close();
      err.println("loomraid raid: " + e.getMessage());
      return ExitCode.WARNING;
    }
    running.awaitClosed();
    return ExitCode.OK;
  }

  private static Properties load(Path file) throws UsageException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException("--config: cannot read " + file + ": " + e.getMessage());
    }
    return properties;
  }

  private static String defaultName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
