/**
 * The {@code loomraid} command-line tool: {@code serve} (a storage server over a directory),
 * {@code raid} (a RAID front-end configured by a properties file), {@code ctl} (administration
 * with monitoring-plugin exit codes) and {@code demo} (a self-contained walk through failure and
 * recovery). Not exported, and opened to picocli alone: the entry point is
 * {@link org.loomraid.backends.cli.LoomraidCli}, started by the {@code loomraid} launcher script.
 *
 * <h2>Parsing</h2>
 * Every command is a picocli command declared by annotations; picocli generates the help and the
 * synopsis and converts the options' values ({@link org.loomraid.backends.cli.OptionTypes}: ports,
 * durations, readable files). Usage settings are declared once, on the root command, and inherited.
 * A {@code ctl} action is a {@link org.loomraid.backends.cli.CtlAction}, whose documentation says
 * how to add one.
 *
 * <h2>Priorities</h2>
 * Clear errors first: every wrong argument names the option, suggests the nearest name for a
 * mistyped one, shows the synopsis, and exits with 3 (UNKNOWN), before anything is opened; then
 * predictable exit codes for monitoring ({@link org.loomraid.backends.cli.ExitCode}); then
 * brevity. Secrets and passwords are read from files that options name, never taken from the
 * command line, and never printed.
 *
 * <h2>Threading</h2>
 * Commands run on the calling thread; servers create their own (virtual) threads. Long-running
 * commands stop gracefully on SIGINT/SIGTERM through a shutdown hook.
 */
package org.loomraid.backends.cli;
