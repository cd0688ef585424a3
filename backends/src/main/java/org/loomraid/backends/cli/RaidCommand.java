package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loomraid raid}: a RAID front-end over the backends a properties file names. Its help's
 * footer lists the configuration's keys ({@link RaidConfig#help()}).
 */
@Command(name = "raid",
    description = {
        "Serves a RAID over file:, remote: and postgres: backends, configured by a properties"
            + " file.",
        "%nOpens a RAID over the backends named in the properties file FILE and serves it over the"
            + " loomraid protocol: applications use it with RemoteStorage, operators with"
            + " loomraid ctl.",
        "Prints \"serving RAID 'NAME' (N backends, STATUS) on HOST:PORT\" when ready; stops"
            + " gracefully on Ctrl-C or SIGTERM (printing \"loomraid raid: stopped\")."},
    exitCodeList = {
        "1:cannot open the RAID or listen",
        "3:bad arguments or a bad configuration",
        "130, 143:stopped by SIGINT or SIGTERM (the JVM's usual codes)"},
    footerHeading = "%nConfiguration (a properties file; only backend.* is required):%n")
final class RaidCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", required = true,
      converter = OptionTypes.ReadableFile.class,
      description = "the configuration file (required)")
  private Path config;

  @Override
  public Integer call() throws UsageException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RaidConfig parsed = RaidConfig.parse(load(config), defaultName(config));
    Running running = new Running().closeOnExit("raid");
    running.add(() -> {
      out.println("loomraid raid: stopped");
      out.flush();
    });
    try {
      RaidStorage raid = running.add(parsed.raid().open());
      StorageServer server = running.add(parsed.server(raid));
      out.println(ServerOptions.readyLine("serving RAID '" + raid.name() + "' ("
          + parsed.backendCount() + " backends, " + raid.status() + ")", server));
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
