package org.loomraid.backends.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code loomraid} command: {@code serve}, {@code raid}, {@code ctl} and {@code demo}. Run by
 * the {@code loomraid} launcher script at the top of the project; {@code --help} works on every
 * subcommand.
 */
public final class LoomraidCli {

  private static final Map<String, Command> COMMANDS = commands();

  private LoomraidCli() {}

  /** Runs the command line and exits with the command's exit code. */
  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Runs a command line; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
      out.print(overview());
      return args.isEmpty() ? ExitCode.UNKNOWN : ExitCode.OK;
    }
    Command command = COMMANDS.get(args.get(0));
    if (command == null) {
      err.println("loomraid: unknown command '" + args.get(0) + "'");
      err.print(overview());
      return ExitCode.UNKNOWN;
    }
    try {
      Arguments arguments = Arguments.parse(args.subList(1, args.size()),
          command.valuedOptions(), command.flags());
      if (arguments.wantsHelp()) {
        out.print(command.usage());
        return ExitCode.OK;
      }
      return command.run(arguments, out, err);
    } catch (UsageException e) {
      err.println("loomraid " + command.name() + ": " + e.getMessage());
      err.print(command.usage());
      return ExitCode.UNKNOWN;
    }
  }

  private static String overview() {
    StringBuilder text = new StringBuilder("""
        usage: loomraid COMMAND [options]     (loomraid COMMAND --help for details)

        commands:
        """);
    COMMANDS.values().forEach(c -> text.append(String.format("  %-6s  %s%n", c.name(), c.summary())));
    return text.toString();
  }

  private static Map<String, Command> commands() {
    Map<String, Command> commands = new LinkedHashMap<>();
    for (Command command : List.<Command>of(new ServeCommand(), new RaidCommand(), new CtlCommand(),
        new DemoCommand())) {
      commands.put(command.name(), command);
    }
    return commands;
  }
}
