package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The command line as a whole: generated help, errors, suggestions, exit codes. */
class LoomraidCliTest {

  @TempDir
  Path dir;

  @Test
  void everySubcommandHasHelp() {
    CliRun overview = CliRun.of("--help");
    assertEquals(0, overview.exitCode());
    for (String command : new String[] {"serve", "raid", "ctl", "demo"}) {
      assertTrue(overview.out().contains("  " + command + " "), overview.out());
      CliRun help = CliRun.of(command, "--help");
      assertEquals(0, help.exitCode(), command);
      assertTrue(help.out().startsWith("Usage: loomraid " + command), help.out());
      assertEquals("", help.err());
    }
  }

  @Test
  void noArgumentsOrAnUnknownCommandShowTheOverview() {
    CliRun none = CliRun.of();
    assertEquals(3, none.exitCode());
    assertTrue(none.out().startsWith("Usage: loomraid [-hV] COMMAND"), none.out());
    CliRun unknown = CliRun.of("explode");
    assertEquals(3, unknown.exitCode());
    assertTrue(unknown.err().startsWith("loomraid: Unknown command: 'explode'"), unknown.err());
    assertFalse(unknown.err().contains("did you mean"), "nothing is like 'explode'");
    assertTrue(unknown.err().contains("Try 'loomraid --help'"), unknown.err());
  }

  /** Every command of the tree, ctl's actions too, and every one of its options, is in its help. */
  @Test
  void generatedHelpListsEveryOptionArgumentAndExitCodeOfEveryCommand() {
    CommandLine root = LoomraidCli.commandLine();
    for (CommandLine command : allCommands(root)) {
      String path = command.getCommandSpec().qualifiedName();
      if (path.endsWith(" help")) {
        continue; // picocli's own help command
      }
      List<String> args = new ArrayList<>(List.of(path.split(" ")).subList(1,
          path.split(" ").length));
      args.add("--help");
      CliRun help = CliRun.of(args.toArray(String[]::new));
      assertEquals(0, help.exitCode(), path);
      assertEquals("", help.err(), path);
      assertTrue(help.out().startsWith("Usage: " + path + " "), help.out());
      for (ArgSpec arg : command.getCommandSpec().args()) {
        if (arg.hidden()) {
          continue;
        }
        String shown = arg.isOption() ? ((OptionSpec) arg).longestName() : arg.paramLabel();
        assertTrue(help.out().contains(shown), path + " help shows " + shown + ":\n" + help.out());
      }
      assertTrue(help.out().contains("\nExit codes:\n"), path + " lists its exit codes");
      if (command.getParent() != null) {
        assertNotEquals(root.getCommandSpec().usageMessage().exitCodeList(),
            command.getCommandSpec().usageMessage().exitCodeList(),
            path + " declares its own exit codes");
      }
    }
  }

  @Test
  void helpCommandShowsTheSameHelpAsTheOption() {
    for (String command : new String[] {"serve", "raid", "ctl", "demo"}) {
      CliRun byCommand = CliRun.of("help", command);
      assertEquals(0, byCommand.exitCode());
      assertEquals(CliRun.of(command, "--help").out(), byCommand.out());
    }
    assertEquals(CliRun.of("--help").out(), CliRun.of("help").out());
    CliRun unknown = CliRun.of("help", "explode");
    assertEquals(3, unknown.exitCode());
    assertTrue(unknown.err().contains("'explode'"), unknown.err());
  }

  @Test
  void raidHelpListsTheConfigurationWithTheEnginesChoices() {
    String help = CliRun.of("raid", "--help").out();
    for (var policy : org.loomraid.raid.ReadPolicy.values()) {
      assertTrue(help.contains(policy.name()), policy + " in:\n" + help);
    }
    assertTrue(help.contains("write-mode = PARALLEL | SEQUENTIAL"), help);
    assertTrue(help.contains("call-timeout = 5s"), help);
    for (String line : help.split("\n")) {
      assertTrue(line.length() <= 80, "fits 80 columns: '" + line + "'");
    }
  }

  @Test
  void versionNamesTheBuiltVersionAndTheJvm() {
    CliRun version = CliRun.of("--version");
    assertEquals(0, version.exitCode());
    assertTrue(version.out().matches("(?s)loomraid \\d+\\.\\d+\\.\\d+\\S*\nJVM: .*"),
        version.out());
    assertEquals(version.out(), CliRun.of("ctl", "status", "--version").out());
  }

  @Test
  void mistypedCommandsAndOptionsSuggestTheClosestName() {
    assertSuggests("loomraid: Unknown command: 'serv'; did you mean 'serve'?", "serv", "--dir",
        "x");
    assertSuggests("loomraid ctl: Unknown command: 'stauts'; did you mean 'status'?", "ctl",
        "stauts");
    assertSuggests("loomraid ctl: Unknown option: '--prot'; did you mean '--port'?", "ctl",
        "--prot", "1", "status");
    assertSuggests("loomraid ctl status: Unknown option: '--tmeout'; did you mean '--timeout'?",
        "ctl", "status", "--tmeout=1s");
    assertSuggests("loomraid serve: Unknown option: '--secret'; did you mean '--secret-file'?",
        "serve", "--dir", dir.toString(), "--secret", "s");
    assertSuggests("loomraid ctl recover: Unknown option: '--nowait'; did you mean '--no-wait'?",
        "ctl", "recover", "b", "--nowait");
  }

  private static void assertSuggests(String firstLine, String... args) {
    CliRun run = CliRun.of(args);
    assertEquals(3, run.exitCode(), run.toString());
    assertEquals(firstLine, run.err().lines().findFirst().orElse(""), run.err());
    assertTrue(run.err().contains("\nUsage: loomraid "), "the synopsis follows:\n" + run.err());
    assertEquals("", run.out());
  }

  @Test
  void typedOptionsRefuseBadValuesNamingTheOptionAndLeaveNothingBehind() throws IOException {
    Path data = dir.resolve("data");
    assertRefused("Invalid value for option '--port': must be a port in 0..65535, was '99999'",
        "serve", "--dir", data.toString(), "--port", "99999");
    assertRefused("Invalid value for option '--port': must be a port in 0..65535, was '-1'",
        "serve", "--dir", data.toString(), "--port=-1");
    assertRefused("Invalid value for option '--secret-file': " + dir.resolve("none")
        + " is not a readable file", "serve", "--dir", data.toString(), "--secret-file",
        dir.resolve("none").toString());
    assertRefused("Invalid value for option '--tls-keystore': " + dir
        + " is not a readable file", "serve", "--dir", data.toString(), "--tls-keystore",
        dir.toString());
    Path shortSecret = Files.writeString(dir.resolve("short"), "0123456789\n");
    assertRefused("--secret-file: the secret in " + shortSecret + " must be at least 16 bytes,"
        + " was 10", "serve", "--dir", data.toString(), "--secret-file", shortSecret.toString());
    Path password = Files.writeString(dir.resolve("password"), "changeit\n");
    assertRefused("--tls-password-file is the password of --tls-keystore, which is missing",
        "serve", "--dir", data.toString(), "--tls-password-file", password.toString());
    assertFalse(Files.exists(data), "a refused command line opens nothing");

    assertRefused("Invalid value for option '--timeout': must be positive, was 0s", "ctl",
        "--timeout", "0s", "status");
    assertRefused("Invalid value for option '--timeout': must be a duration like 500ms, 5s, 2m"
        + " or 1h, was '5'", "ctl", "--timeout", "5", "status");
    assertRefused("Invalid value for option '--wait': must be a duration like 500ms, 5s, 2m or"
        + " 1h, was 'forever'", "ctl", "recover", "b", "--wait", "forever");
    assertRefused("Invalid value for option '--port': must be a port in 1..65535, was '0'", "ctl",
        "--port", "0", "status");
    assertRefused("--no-wait and --wait exclude each other", "ctl", "recover", "b", "--no-wait",
        "--wait", "5s");
    assertRefused("Invalid value for option '--config': " + dir.resolve("none.properties")
        + " is not a readable file", "raid", "--config",
        dir.resolve("none.properties").toString());
    assertRefused("option '--dir' (DIR) should be specified only once", "demo", "--dir", "a",
        "--dir", "b");
    assertRefused("Missing required parameter for option '--port' (PORT)", "ctl", "status",
        "--port");
  }

  private static void assertRefused(String message, String... args) {
    CliRun run = CliRun.of(args);
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), "expected '" + message + "' in:\n" + run.err());
    assertTrue(run.err().contains("Try 'loomraid "), run.err());
  }

  /**
   * Secrets and passwords are never command-line values (they would show in the process list and
   * the shell's history): every option that names one takes a file.
   */
  @Test
  void secretsArePassedOnlyAsFiles() {
    for (CommandLine command : allCommands(LoomraidCli.commandLine())) {
      for (ArgSpec arg : command.getCommandSpec().args()) {
        String name = arg.isOption() ? ((OptionSpec) arg).longestName() : arg.paramLabel();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.matches(".*(secret|password|credential|token|key).*")) {
          assertTrue(lower.endsWith("-file") || lower.endsWith("keystore")
              || lower.endsWith("truststore"), name + " must name a file");
          assertEquals(Path.class, arg.type(), name + " is a file");
        }
      }
    }
  }

  @Test
  void argumentsStartingWithAtAreNotFilesToExpand() throws IOException {
    Path arguments = Files.writeString(dir.resolve("args"), "--help\n");
    CliRun run = CliRun.of("@" + arguments);
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.err().contains("Unknown command: '@" + arguments + "'"), run.err());
  }

  private static List<CommandLine> allCommands(CommandLine root) {
    List<CommandLine> all = new ArrayList<>(List.of(root));
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      all.addAll(allCommands(sub.getValue()));
    }
    return all;
  }
}
