package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line run as a named module, the way a user of the module path runs it: picocli
 * reads and writes the commands' fields reflectively, which works only because the module opens
 * the package to picocli.
 */
@Timeout(120)
class ModulePathTest {

  /** The modules the backends module needs at run time. */
  private static final Set<String> MODULES = Set.of("org.loomraid.backends", "org.loomraid.core",
      "info.picocli", "org.slf4j", "com.zaxxer.hikari", "org.postgresql.jdbc");

  @TempDir
  Path dir;

  @Test
  void parsesAndRunsCommandsOnTheModulePath() throws Exception {
    String modulePath = modulePath();

    Run help = run(modulePath, "ctl", "recover", "--help");
    assertEquals(0, help.exitCode(), help.output());
    assertTrue(help.output().startsWith("Usage: loomraid ctl recover"), help.output());

    Run version = run(modulePath, "--version");
    assertEquals(0, version.exitCode(), version.output());
    assertTrue(version.output().matches("(?s)loomraid \\d+\\.\\d+\\.\\d+.*"), version.output());

    // Typed, inherited options set on the fields, then the action runs against a closed port.
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Run unreachable = run(modulePath, "ctl", "status", "--port", String.valueOf(port),
        "--timeout", "2s");
    assertEquals(3, unreachable.exitCode(), unreachable.output());
    assertTrue(unreachable.output().contains("UNKNOWN: cannot reach 127.0.0.1:" + port),
        unreachable.output());

    Run typo = run(modulePath, "ctl", "stauts");
    assertEquals(3, typo.exitCode(), typo.output());
    assertTrue(typo.output().contains("did you mean 'status'?"), typo.output());
  }

  @Test
  void opensOnlyTheCommandLineAndOnlyToPicocli() {
    ModuleDescriptor backends = ModuleFinder.of(paths(modulePath()))
        .find("org.loomraid.backends").orElseThrow().descriptor();
    assertEquals(Set.of(new Opened("org.loomraid.backends.cli", Set.of("info.picocli"))),
        backends.opens().stream().map(o -> new Opened(o.source(), o.targets()))
            .collect(Collectors.toSet()));
  }

  private record Opened(String pkg, Set<String> to) {}

  private static Path[] paths(String modulePath) {
    return Stream.of(modulePath.split(File.pathSeparator)).map(Path::of).toArray(Path[]::new);
  }

  /** The class path's entries that hold the needed modules, as a module path. */
  private static String modulePath() {
    List<String> entries = new ArrayList<>();
    Set<String> found = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!Files.exists(path)) {
        continue;
      }
      try {
        for (ModuleReference module : ModuleFinder.of(path).findAll()) {
          String name = module.descriptor().name();
          if (MODULES.contains(name) && found.add(name)) {
            entries.add(entry);
          }
        }
      } catch (FindException e) {
        // not a module (a test folder, a jar without a usable module name): not needed
      }
    }
    assertEquals(new TreeSet<>(MODULES), found, "modules found on the class path");
    return String.join(File.pathSeparator, entries);
  }

  private record Run(int exitCode, String output) {}

  private Run run(String modulePath, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "--module-path", modulePath,
        "--module", "org.loomraid.backends/" + LoomraidCli.class.getName()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "cli-", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish: " + Files.readString(log));
    }
    // slf4j without a provider says so once; that line is not the command's output.
    String output = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.startsWith("SLF4J"))
        .reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
    return new Run(process.exitValue(), output);
  }
}
