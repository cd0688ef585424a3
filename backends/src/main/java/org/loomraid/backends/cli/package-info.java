/**
 * The {@code loomraid} command-line tool: {@code serve} (a storage server over a directory),
 * {@code raid} (a RAID front-end configured by a properties file), {@code ctl} (administration
 * with monitoring-plugin exit codes) and {@code demo} (a self-contained walk through failure and
 * recovery). Not exported: the entry point is {@link org.loomraid.backends.cli.LoomraidCli},
 * started by the {@code loomraid} launcher script.
 *
 * <h2>Priorities</h2>
 * Clear errors first: every wrong argument names the option and shows the usage, and exits with
 * 3 (UNKNOWN); then predictable exit codes for monitoring; then brevity.
 *
 * <h2>Threading</h2>
 * Commands run on the calling thread; servers create their own (virtual) threads. Long-running
 * commands stop gracefully on SIGINT/SIGTERM through a shutdown hook.
 */
package org.loomraid.backends.cli;
