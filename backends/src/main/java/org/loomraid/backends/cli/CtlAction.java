package org.loomraid.backends.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.client.RemoteStorage;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * One action of {@code loomraid ctl}: connects with the options of {@link CtlCommand}, runs
 * {@link #run} against the served RAID's administration, and turns every failure to get an answer
 * into {@link ExitCode#UNKNOWN} (cannot reach the server, the server refused, anything
 * unexpected), so that a monitoring system never reads a failure as a RAID status.
 *
 * <h2>Adding an action</h2>
 * <ol>
 *   <li>Write a subclass annotated {@code @Command(name = "...", description = "...",
 *       exitCodeList = {...})}; declare its arguments with {@code @Parameters} and its options
 *       with {@code @Option} (the connection options are inherited from {@code ctl}); an action
 *       that starts work at the server which the caller may wait for mixes in
 *       {@link CtlCommand.WaitOptions} ({@code @Mixin}), as {@code recover} does.</li>
 *   <li>Implement {@link #run}: call {@link RemoteRaidAdmin}, print what happened, return an
 *       {@link ExitCode}. Throwing {@link RemoteStorageException}, {@link IllegalArgumentException}
 *       or {@link IllegalStateException} reports "refused" with UNKNOWN; check arguments that need
 *       no server in {@link #check} (throw picocli's {@code ParameterException}), before
 *       connecting.</li>
 *   <li>List the class in {@link CtlCommand}'s {@code subcommands}: the help, the list of
 *       actions in error messages and the typo suggestions follow from it.</li>
 * </ol>
 */
abstract class CtlAction implements Callable<Integer> {

  @ParentCommand
  private CtlCommand ctl;

  @Spec
  private CommandSpec spec;

  /**
   * Runs the action against the RAID's administration.
   *
   * @return the exit code ({@link ExitCode})
   */
  abstract int run(RemoteRaidAdmin admin, PrintWriter out);

  /** Checks the arguments before connecting; the default accepts them. */
  void check() {}

  /**
   * Whether the action, against a server of a plain storage (not a RAID), reports that storage
   * as OK instead of running: true for the actions that only look ({@code status},
   * {@code details}), so monitoring can watch any server.
   */
  boolean reportsPlainStorage() {
    return false;
  }

  /** The {@code ctl} command, with its connection options and the 0.1.0 wait options. */
  final CtlCommand ctl() {
    return ctl;
  }

  /** This action's picocli model, for errors that name it. */
  final CommandSpec spec() {
    return spec;
  }

  @Override
  public final Integer call() throws UsageException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    check();
    RemoteStorage.Builder client = ctl.client(spec);
    String address = ctl.address();
    try (RemoteStorage storage = client.connect()) {
      if (reportsPlainStorage() && !storage.servesRaid()) {
        out.println("OK: " + address + " serves storage '" + storage.serverStorageName()
            + "', which is not a RAID; last transaction " + storage.lastTransaction());
        return ExitCode.OK;
      }
      return run(storage.admin(), out);
    } catch (UncheckedIOException e) {
      err.println("UNKNOWN: cannot reach " + address + ": " + e.getMessage());
      return ExitCode.UNKNOWN;
    } catch (RemoteStorageException | IllegalArgumentException | IllegalStateException e) {
      err.println("UNKNOWN: " + address + " refused: " + e.getMessage());
      return ExitCode.UNKNOWN;
    } catch (RuntimeException e) {
      err.println("UNKNOWN: " + address + ": " + e);
      return ExitCode.UNKNOWN;
    }
  }
}
