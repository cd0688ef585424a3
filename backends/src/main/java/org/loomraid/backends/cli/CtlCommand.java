package org.loomraid.backends.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.backends.remote.TlsContexts;
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.client.RemoteStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code loomraid ctl}: administers a RAID served by {@code loomraid raid} (or any
 * {@code StorageServer} over a {@code RaidStorage}), with monitoring-plugin exit codes. The
 * connection options are declared here and inherited by every action, so they may stand before or
 * after it; each action is a {@link CtlAction} (which says how to add one).
 */
@Command(name = "ctl",
    description = {
        "Administers a served RAID, with exit codes for monitoring.",
        "%nTalks to a RAID front-end (loomraid raid) over the loomraid protocol. The exit codes"
            + " are a monitoring plugin's (Nagios-style), so that monitoring can call"
            + " 'loomraid ctl status' directly. The options may also follow the command."},
    subcommands = {CtlCommand.Status.class, CtlCommand.Details.class, CtlCommand.Disable.class,
        CtlCommand.Recover.class, CtlCommand.Add.class, CtlCommand.Remove.class,
        CtlCommand.Scrub.class, CtlCommand.ScrubStatus.class, CtlCommand.ScrubCancel.class},
    exitCodeList = {
        "0:OK: the RAID is OPTIMAL, or the command was carried out",
        "1:WARNING: the RAID is RECOVERING; or a scrub repaired what it found",
        "2:CRITICAL: the RAID is DEGRADED, FAILED or CLOSED; the recovery failed; or a scrub"
            + " found backends that differ",
        "3:UNKNOWN: cannot connect, refused, bad arguments, or the scrub did not run to its end"})
final class CtlCommand implements Callable<Integer> {

  private static final Duration DEFAULT_WAIT = Duration.ofHours(1);

  @Spec
  private CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      scope = ScopeType.INHERIT, description = "server host (default: ${DEFAULT-VALUE})")
  private String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ServerOptions.DEFAULT_PORT,
      converter = OptionTypes.Port.class, scope = ScopeType.INHERIT,
      description = "server port (default: ${DEFAULT-VALUE})")
  private int port;

  @Option(names = "--secret-file", paramLabel = "FILE", converter = OptionTypes.ReadableFile.class,
      scope = ScopeType.INHERIT, description = "file holding the server's shared secret")
  private Path secretFile;

  @Option(names = "--tls-truststore", paramLabel = "FILE",
      converter = OptionTypes.ReadableFile.class, scope = ScopeType.INHERIT,
      description = "connect with TLS, trusting the certificates in keystore FILE")
  private Path tlsTruststore;

  @Option(names = "--tls-password-file", paramLabel = "FILE",
      converter = OptionTypes.ReadableFile.class, scope = ScopeType.INHERIT,
      description = "password of the truststore, on the file's first line (default: changeit)")
  private Path tlsPasswordFile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      converter = OptionTypes.PositiveDuration.class, scope = ScopeType.INHERIT,
      description = "bound on connecting and on each call, e.g. 500ms, 5s"
          + " (default: ${DEFAULT-VALUE})")
  private Duration timeout;

  // 0.1.0 documented the wait options before the action ("ctl --no-wait recover b"); they are
  // still read there, hidden from the help, which shows them under the actions that wait.
  @Option(names = "--no-wait", hidden = true)
  private boolean noWaitBeforeAction;

  @Option(names = "--wait", hidden = true, converter = OptionTypes.PositiveDuration.class)
  private Duration waitBeforeAction;

  /** {@code ctl} without an action. */
  @Override
  public Integer call() {
    List<String> actions = new ArrayList<>(spec.subcommands().keySet());
    String last = actions.remove(actions.size() - 1);
    throw new ParameterException(spec.commandLine(), "Missing required command: "
        + String.join(", ", actions) + " or " + last);
  }

  /** {@code HOST:PORT}, for messages. */
  String address() {
    return host + ":" + port;
  }

  /**
   * A client builder for the server, its secret and truststore read.
   *
   * @param action the action, for errors that name it
   * @throws UsageException if the secret or the truststore is unusable
   */
  RemoteStorage.Builder client(CommandSpec action) throws UsageException {
    if (port == 0) {
      throw new ParameterException(action.commandLine(),
          "Invalid value for option '--port': must be a port in 1..65535, was '0'");
    }
    RemoteStorage.Builder builder = RemoteStorage.builder(host, port)
        .name("ctl")
        .connectTimeout(timeout)
        .callTimeout(timeout);
    byte[] secret = Secrets.read(secretFile, "secret-file");
    if (secret != null) {
      builder.secret(secret);
    }
    if (tlsTruststore != null) {
      try {
        builder.tls(TlsContexts.trusting(tlsTruststore, Passwords.read(tlsPasswordFile)));
      } catch (RuntimeException e) {
        throw new UsageException("--tls-truststore: " + e.getMessage());
      }
    } else if (tlsPasswordFile != null) {
      throw new UsageException("--tls-password-file is the password of --tls-truststore,"
          + " which is missing");
    }
    return builder;
  }

  /**
   * How long an action that starts work at the server waits for it to end: {@code --no-wait}
   * returns once it has started, {@code --wait} bounds the wait (default 1h). Mixed into the
   * actions that wait ({@code recover}, {@code scrub}).
   */
  static final class WaitOptions {

    @Option(names = "--no-wait", description = "return once it has started")
    private boolean noWait;

    @Option(names = "--wait", paramLabel = "DURATION",
        converter = OptionTypes.PositiveDuration.class,
        description = "give up waiting after DURATION, e.g. 30m (default: 1h); the work goes on"
            + " at the server")
    private Duration wait;

    /** Refuses {@code --no-wait} with {@code --wait}, in either position. */
    void check(CtlAction action) {
      if (!await(action.ctl()) && patience(action.ctl()) != null) {
        throw new ParameterException(action.spec().commandLine(),
            "--no-wait and --wait exclude each other");
      }
    }

    /** Whether to wait for the work to end. */
    boolean await(CtlCommand ctl) {
      return !noWait && !ctl.noWaitBeforeAction;
    }

    /** How long to wait: the given bound, or null if none was given. */
    Duration patience(CtlCommand ctl) {
      return wait != null ? wait : ctl.waitBeforeAction;
    }

    /** How long to wait, the default if none was given. */
    Duration patienceOrDefault(CtlCommand ctl) {
      Duration given = patience(ctl);
      return given != null ? given : DEFAULT_WAIT;
    }
  }

  /** {@code ctl status}: the RAID's status, as the exit code too. */
  @Command(name = "status",
      description = {"Prints the RAID's status.",
          "%nPrints OPTIMAL, RECOVERING, DEGRADED, FAILED or CLOSED and exits with the matching"
              + " monitoring code. A server of a plain storage (not a RAID) is reported OK."},
      exitCodeList = {
          "0:OK: OPTIMAL (or a plain storage)",
          "1:WARNING: RECOVERING",
          "2:CRITICAL: DEGRADED, FAILED or CLOSED",
          "3:UNKNOWN: cannot connect, refused, or bad arguments"})
  static final class Status extends CtlAction {
    @Override
    boolean reportsPlainStorage() {
      return true;
    }

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      String status = admin.status();
      out.println(status);
      return ExitCode.forStatus(status);
    }
  }

  /** {@code ctl details}: the status and one line per backend. */
  @Command(name = "details",
      description = {"Prints the status and every backend's state and details.",
          "%nPrints the RAID's status, then one line per backend: its state, why it is out of"
              + " service if it is, and its details (last tid, lag, calls, failures, latency:"
              + " mean, max, and p50 and p99 of the last minute; recovery progress, ...)."},
      exitCodeList = {
          "0:OK: OPTIMAL (or a plain storage)",
          "1:WARNING: RECOVERING",
          "2:CRITICAL: DEGRADED, FAILED or CLOSED",
          "3:UNKNOWN: cannot connect, refused, or bad arguments"})
  static final class Details extends CtlAction {
    @Override
    boolean reportsPlainStorage() {
      return true;
    }

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      String status = admin.status();
      List<RemoteRaidAdmin.Backend> backends = admin.backends();
      out.println("RAID " + status);
      print(backends, out);
      return ExitCode.forStatus(status);
    }
  }

  /** {@code ctl disable NAME}. */
  @Command(name = "disable",
      description = {"Takes backend NAME out of service.",
          "%nThe backend becomes DEGRADED, \"disabled by operator\"; recover brings it back."},
      exitCodeList = {
          "0:OK: done",
          "3:UNKNOWN: cannot connect, refused (say, no such backend), or bad arguments"})
  static final class Disable extends CtlAction {
    @Parameters(paramLabel = "NAME", description = "the backend")
    private String name;

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      admin.disable(name);
      out.println("disabled backend '" + name + "'");
      return ExitCode.OK;
    }
  }

  /** {@code ctl recover NAME}: starts a recovery and, unless told not to, waits for its end. */
  @Command(name = "recover",
      description = {"Recovers backend NAME and waits until it is OPTIMAL again.",
          "%nCopies what backend NAME missed from an optimal backend while writers go on,"
              + " printing the progress, and promotes it to OPTIMAL."},
      exitCodeList = {
          "0:OK: the backend is OPTIMAL (or, with --no-wait, the recovery has started)",
          "1:WARNING: still RECOVERING when the wait ended",
          "2:CRITICAL: the recovery failed",
          "3:UNKNOWN: cannot connect, refused, or bad arguments"})
  static final class Recover extends CtlAction {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    @Parameters(paramLabel = "NAME", description = "the backend")
    private String name;

    @Mixin
    private WaitOptions waiting;

    @Override
    void check() {
      waiting.check(this);
    }

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      RemoteRaidAdmin.Backend backend = admin.recover(name);
      out.println("recovering backend '" + name + "': " + backend.state());
      if (!waiting.await(ctl())) {
        return ExitCode.OK;
      }
      Duration wait = waiting.patienceOrDefault(ctl());
      long deadline = System.nanoTime() + wait.toNanos();
      String lastProgress = "";
      while (backend.state().equals("RECOVERING")) {
        if (System.nanoTime() - deadline > 0) {
          out.println("still RECOVERING after " + OptionTypes.format(wait)
              + "; the recovery goes on at the server");
          return ExitCode.WARNING;
        }
        LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        if (Thread.currentThread().isInterrupted()) {
          return ExitCode.WARNING;
        }
        backend = find(admin.backends(), name);
        String progress = backend.details().toString();
        if (!progress.equals(lastProgress) && backend.state().equals("RECOVERING")) {
          out.println("  " + progress);
          lastProgress = progress;
        }
      }
      out.println("backend '" + name + "' is " + backend.state()
          + (backend.reason().isEmpty() ? "" : ": " + backend.reason()));
      return backend.state().equals("OPTIMAL") ? ExitCode.OK : ExitCode.CRITICAL;
    }

    private static RemoteRaidAdmin.Backend find(List<RemoteRaidAdmin.Backend> backends,
        String name) {
      return backends.stream().filter(b -> b.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalStateException("backend '" + name + "' disappeared"));
    }
  }

  /** {@code ctl add NAME SPEC}. */
  @Command(name = "add",
      description = {"Adds a backend; it starts DEGRADED, then recover it.",
          "%nAdds backend NAME at SPEC to the RAID, DEGRADED (\"added\") until recovered."
              + " Credentials never go into a SPEC: a postgres: backend takes those of the"
              + " front-end's postgres-credentials-file."},
      exitCodeList = {
          "0:OK: added",
          "3:UNKNOWN: cannot connect, refused (say, the name is taken), or bad arguments"})
  static final class Add extends CtlAction {
    @Parameters(index = "0", paramLabel = "NAME", description = "the new backend's name")
    private String name;

    @Parameters(index = "1", paramLabel = "SPEC",
        description = "file:/directory, remote:HOST:PORT or postgres:jdbc:postgresql://HOST/DB")
    private String backendSpec;

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      admin.add(name, backendSpec);
      out.println("added backend '" + name + "' (" + backendSpec
          + "); it is DEGRADED until recovered");
      return ExitCode.OK;
    }
  }

  /** {@code ctl remove NAME}. */
  @Command(name = "remove",
      description = {"Removes backend NAME from the RAID.",
          "%nRefused if no optimal backend would be left."},
      exitCodeList = {
          "0:OK: removed",
          "3:UNKNOWN: cannot connect, refused, or bad arguments"})
  static final class Remove extends CtlAction {
    @Parameters(paramLabel = "NAME", description = "the backend")
    private String name;

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      admin.remove(name);
      out.println("removed backend '" + name + "'");
      return ExitCode.OK;
    }
  }

  /**
   * {@code ctl scrub}: starts a scrub and, unless told not to, waits for its end, printing the
   * progress; the exit code says what it found.
   */
  @Command(name = "scrub",
      description = {"Compares every backend's history; takes a diverged one out of service.",
          "%nReads every OPTIMAL backend's history at the server, while writers go on, and"
              + " compares tid, metadata and data of every transaction. A backend that"
              + " disagrees with the majority is named (the first differing tid and object) and"
              + " taken out of service; with --repair it is recovered from the majority. Two"
              + " backends that differ have no majority: reported, nothing changed. A scrub that"
              + " was cancelled or failed is resumed where it stopped, unless --from-start."},
      exitCodeList = {
          "0:OK: every backend compared agreed (or, with --no-wait, the scrub has started)",
          "1:WARNING: every diverged backend was repaired; a backend left the comparison;"
              + " or still running when the wait ended",
          "2:CRITICAL: a backend diverged and was not repaired, or backends differ with no"
              + " majority",
          "3:UNKNOWN: the scrub failed or was cancelled, cannot connect, refused, or bad"
              + " arguments"})
  static final class Scrub extends CtlAction {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration PRINT_INTERVAL = Duration.ofSeconds(1);

    @Option(names = "--repair", description = "recover the backends found diverged from the"
        + " majority")
    private boolean repair;

    @Option(names = "--from-start", description = "compare from the first transaction, even if"
        + " a scrub stopped midway (by default the scrub resumes there)")
    private boolean fromStart;

    @Mixin
    private WaitOptions waiting;

    @Override
    void check() {
      waiting.check(this);
    }

    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      RemoteRaidAdmin.Scrub scrub = admin.scrub(repair, fromStart);
      out.println("scrubbing " + quoted(scrub.backends())
          + (scrub.resumedAfter().isNone() ? "" : ", resuming after " + scrub.resumedAfter())
          + (scrub.repair() ? ", repairing" : ""));
      if (!waiting.await(ctl())) {
        return ExitCode.OK;
      }
      Duration wait = waiting.patienceOrDefault(ctl());
      long deadline = System.nanoTime() + wait.toNanos();
      long printed = System.nanoTime();
      String lastProgress = "";
      while (!scrub.isDone()) {
        if (System.nanoTime() - deadline > 0) {
          out.println("still " + scrub.phase() + " after " + OptionTypes.format(wait)
              + "; the scrub goes on at the server");
          return ExitCode.WARNING;
        }
        LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        if (Thread.currentThread().isInterrupted()) {
          return ExitCode.WARNING;
        }
        scrub = admin.lastScrub().orElseThrow(
            () -> new IllegalStateException("the server forgot the scrub it started"));
        String progress = progress(scrub);
        if (!scrub.isDone() && !progress.equals(lastProgress)
            && System.nanoTime() - printed >= PRINT_INTERVAL.toNanos()) {
          out.println("  " + progress);
          lastProgress = progress;
          printed = System.nanoTime();
        }
      }
      return report(scrub, out);
    }
  }

  /** {@code ctl scrub-status}: the running or last scrub, with the exit code of what it found. */
  @Command(name = "scrub-status",
      description = {"Prints the running or last scrub and what it found.",
          "%nPrints the scrub's phase and progress, each backend it found diverged or without a"
              + " majority, its repairs, and the backends that left it; the exit code says what"
              + " it found so far."},
      exitCodeList = {
          "0:OK: no scrub has run, it is running and found nothing yet, or every backend agreed",
          "1:WARNING: every diverged backend was repaired, or a backend left the comparison",
          "2:CRITICAL: a backend diverged and was not repaired, or backends differ with no"
              + " majority",
          "3:UNKNOWN: the scrub failed or was cancelled, cannot connect, refused, or bad"
              + " arguments"})
  static final class ScrubStatus extends CtlAction {
    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      Optional<RemoteRaidAdmin.Scrub> last = admin.lastScrub();
      if (last.isEmpty()) {
        out.println("no scrub has run since the RAID opened");
        return ExitCode.OK;
      }
      return report(last.get(), out);
    }
  }

  /** {@code ctl scrub-cancel}: asks the running scrub to stop; the next one resumes there. */
  @Command(name = "scrub-cancel",
      description = {"Cancels the running scrub; the next scrub resumes where it stops.",
          "%nThe scrub stops at its next step; recoveries it started to repair backends go on."},
      exitCodeList = {
          "0:OK: cancelled, or no scrub was running",
          "3:UNKNOWN: cannot connect, refused, or bad arguments"})
  static final class ScrubCancel extends CtlAction {
    @Override
    int run(RemoteRaidAdmin admin, PrintWriter out) {
      Optional<RemoteRaidAdmin.Scrub> cancelled = admin.cancelScrub();
      out.println(cancelled.map(scrub -> "cancelled the scrub (" + progress(scrub)
          + "); the next scrub resumes where it stops").orElse("no scrub is running"));
      return ExitCode.OK;
    }
  }

  /** One line of a scrub's progress: phase, transactions and bytes compared, rate. */
  static String progress(RemoteRaidAdmin.Scrub scrub) {
    return scrub.phase() + ": " + scrub.transactionsCompared() + "/" + scrub.transactionsTotal()
        + " transactions, " + scrub.bytesCompared() + "/" + scrub.bytesTotal() + " bytes, "
        + String.format(Locale.ROOT, "%.0f bytes/s", scrub.bytesPerSecond())
        + (scrub.differences() == 0 ? "" : ", " + scrub.differences() + " difference(s)");
  }

  /**
   * Prints a scrub: its progress, what it found, its repairs, who left it; returns the exit code
   * of what it found (see {@link Scrub}).
   */
  static int report(RemoteRaidAdmin.Scrub scrub, PrintWriter out) {
    out.println("scrub " + progress(scrub) + " on " + quoted(scrub.backends()) + " in "
        + OptionTypes.format(Duration.ofMillis(scrub.elapsed().toMillis()))
        + (scrub.failure().isEmpty() ? "" : ": " + scrub.failure()));
    for (RemoteRaidAdmin.Finding finding : scrub.findings()) {
      out.println("  " + finding.describe());
    }
    if (scrub.differences() > scrub.findings().size()) {
      out.println("  ... and " + (scrub.differences() - scrub.findings().size()) + " more");
    }
    for (RemoteRaidAdmin.Repair repair : scrub.repairs()) {
      out.println("  repair of '" + repair.backend() + "': " + repair.phase()
          + (repair.failure().isEmpty() ? "" : ": " + repair.failure()));
    }
    scrub.left().forEach((backend, why) ->
        out.println("  backend '" + backend + "' left the comparison: " + why));
    if (scrub.phase().equals("FAILED") || scrub.phase().equals("CANCELLED")) {
      return ExitCode.UNKNOWN;
    }
    if (scrub.differences() > 0) {
      long diverged = scrub.findings().stream().filter(f -> f.kind().equals("DIVERGED")).count();
      boolean allRepaired = scrub.isDone() && diverged == scrub.differences()
          && scrub.repairs().size() == diverged
          && scrub.repairs().stream().allMatch(r -> r.phase().equals("DONE"));
      return allRepaired ? ExitCode.WARNING : ExitCode.CRITICAL;
    }
    if (!scrub.isDone()) {
      return ExitCode.OK;
    }
    return scrub.left().isEmpty() ? ExitCode.OK : ExitCode.WARNING;
  }

  private static String quoted(List<String> names) {
    return names.isEmpty() ? "no backends" : "'" + String.join("', '", names) + "'";
  }

  /** Prints one line per backend: name, state, reason, then its details. */
  static void print(List<RemoteRaidAdmin.Backend> backends, PrintWriter out) {
    int nameWidth = Math.max(7, backends.stream().mapToInt(b -> b.name().length()).max().orElse(0));
    out.printf("  %-" + nameWidth + "s  %-10s  %s%n", "BACKEND", "STATE", "REASON / DETAILS");
    for (RemoteRaidAdmin.Backend backend : backends) {
      StringBuilder line = new StringBuilder(backend.reason());
      for (Map.Entry<String, String> detail : backend.details().entrySet()) {
        if (!line.isEmpty()) {
          line.append(", ");
        }
        line.append(detail.getKey()).append('=').append(detail.getValue());
      }
      out.printf("  %-" + nameWidth + "s  %-10s  %s%n", backend.name(), backend.state(), line);
    }
  }
}
