package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code loomraid} command: {@code serve}, {@code raid}, {@code ctl}, {@code demo} and
 * {@code help}, parsed by picocli. Run by the {@code loomraid} launcher script at the top of the
 * project; {@code --help} works on every command and {@code --version} on all of them.
 *
 * <p>The usage settings here (headings, option order, the standard {@code -h}/{@code -V} options)
 * are inherited by every subcommand, so each command declares only its own options, description
 * and exit codes. A usage error prints the message, the closest names if the user mistyped one,
 * and the command's synopsis, and exits with {@link ExitCode#UNKNOWN}.
 */
@Command(name = "loomraid",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = LoomraidCli.Version.class,
    description = "RAID-1 for transactional object storages: serve storages, run a RAID front-end"
        + " over them, administer it.",
    subcommands = {ServeCommand.class, RaidCommand.class, CtlCommand.class, DemoCommand.class,
        HelpCommand.class},
    synopsisSubcommandLabel = "COMMAND",
    synopsisHeading = "Usage: ",
    descriptionHeading = "%n",
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions:%n",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done (the help or the version was shown)",
        "3:no command, or bad arguments; each command's --help lists its own exit codes"},
    sortOptions = false,
    sortSynopsis = false,
    usageHelpAutoWidth = false)
public final class LoomraidCli implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  /** Runs the command line and exits with the command's exit code. */
  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err));
  }

  /** Runs a command line; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    PrintWriter outWriter = new PrintWriter(out, true, out.charset());
    PrintWriter errWriter = new PrintWriter(err, true, err.charset());
    try {
      return commandLine().setOut(outWriter).setErr(errWriter).execute(args.toArray(String[]::new));
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  /** The whole command tree, configured: built anew for each run (picocli keeps parse state). */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new LoomraidCli());
    commandLine.getSubcommands().get("raid").getCommandSpec().usageMessage()
        .footer(RaidConfig.help());
    // Settings that apply to the whole tree: set after the subcommands exist.
    return commandLine
        .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
        .setExpandAtFiles(false) // an argument starting with @ is an argument, not a file to read
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(LoomraidCli::usageError)
        .setExecutionExceptionHandler(LoomraidCli::failure);
  }

  /** {@code loomraid} alone: the overview, and UNKNOWN, since nothing was asked. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.UNKNOWN;
  }

  /** Prints a usage error: what is wrong, the closest names, the synopsis. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    printUsageError(command, message(e));
    return ExitCode.UNKNOWN;
  }

  private static void printUsageError(CommandLine command, String message) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    err.println(name + ": " + message);
    CommandLine.Help help = command.getHelp();
    err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeading().length()));
    err.println("Try '" + name + " --help' for more information.");
    err.flush();
  }

  private static String message(ParameterException e) {
    if (!(e instanceof UnmatchedArgumentException unmatched)
        || unmatched.getUnmatched().isEmpty()) {
      return e.getMessage();
    }
    String first = unmatched.getUnmatched().get(0);
    CommandSpec command = e.getCommandLine().getCommandSpec();
    List<String> candidates = new ArrayList<>();
    String what;
    if (first.startsWith("-")) {
      int equals = first.indexOf('=');
      first = equals > 0 ? first.substring(0, equals) : first;
      what = "Unknown option: '" + first + "'";
      for (OptionSpec option : command.options()) {
        if (!option.hidden()) {
          candidates.addAll(List.of(option.names()));
        }
      }
    } else if (!command.subcommands().isEmpty()) {
      what = "Unknown command: '" + first + "'";
      command.subcommands().forEach((name, sub) -> {
        if (!sub.getCommandSpec().usageMessage().hidden()) {
          candidates.add(name);
        }
      });
    } else {
      return "Unexpected argument: '" + first + "'";
    }
    List<String> closest = Suggestions.closest(first, candidates);
    return closest.isEmpty() ? what
        : what + "; did you mean " + String.join(" or ", closest.stream()
            .map(name -> "'" + name + "'").toList()) + "?";
  }

  /**
   * A command threw: a {@link UsageException} (a file an option names is unusable, a bad
   * configuration) is a usage error; anything else a failure of the command.
   */
  private static int failure(Exception e, CommandLine command, ParseResult parsed) {
    if (e instanceof UsageException) {
      printUsageError(command, e.getMessage());
      return ExitCode.UNKNOWN;
    }
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": failed: " + e);
    e.printStackTrace(err);
    err.flush();
    return ExitCode.WARNING;
  }

  /**
   * {@code --version}: the version this module was built as (from its module descriptor, also
   * when run from the class path) and the JVM running it.
   */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
          "loomraid " + moduleVersion(),
          "JVM: " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + " "
              + System.getProperty("java.vm.name") + ")"};
    }

    static String moduleVersion() {
      Module module = LoomraidCli.class.getModule();
      if (module.isNamed()) {
        return module.getDescriptor().rawVersion().orElse("(unknown version)");
      }
      // On the class path: read the descriptor next to this class, in its jar or folder.
      String own = LoomraidCli.class.getName().replace('.', '/') + ".class";
      URL location = LoomraidCli.class.getClassLoader().getResource(own);
      if (location == null) {
        return "(unknown version)";
      }
      String root = location.toString().substring(0, location.toString().length() - own.length());
      try (InputStream in = URI.create(root + "module-info.class").toURL().openStream()) {
        return ModuleDescriptor.read(in).rawVersion().orElse("(unknown version)");
      } catch (IOException | RuntimeException e) {
        return "(unknown version)";
      }
    }
  }
}
