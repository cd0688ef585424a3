package org.loomraid.backends.cli;

import java.io.PrintStream;
import java.util.Set;

/** One subcommand of {@code loomraid}. */
interface Command {

  /** The subcommand's name on the command line. */
  String name();

  /** One line for the overview. */
  String summary();

  /** The full help text, shown by {@code --help} and after a usage error. */
  String usage();

  /** The options that take a value. */
  Set<String> valuedOptions();

  /** The options that take no value ({@code --help} is always accepted). */
  Set<String> flags();

  /**
   * Runs the command.
   *
   * @return the exit code ({@link ExitCode})
   * @throws UsageException if the arguments are wrong
   */
  int run(Arguments arguments, PrintStream out, PrintStream err) throws UsageException;
}
