package org.loomraid.jmh;

import static org.loomraid.jmh.CompareArgs.csvPath;
import static org.loomraid.jmh.CompareArgs.integer;
import static org.loomraid.jmh.CompareArgs.integers;
import static org.loomraid.jmh.CompareArgs.time;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code ./loomraid compare --real} section: what mirroring costs on backends that do real
 * I/O, and what a recovery costs the writers, in two tables.
 *
 * <ul>
 *   <li><b>mirror</b> ({@link RealCommitBenchmark}): commit latency of a RAID over file storages
 *       synced at every commit, and over remote storages on loopback servers, per write path,
 *       against the floor a user of such a backend really has (one of them, no RAID).</li>
 *   <li><b>recovery</b> ({@link RecoveryWriterBenchmark}): writer latency while a backend recovers
 *       a 100 MiB history, against the same RAID with nothing recovering; the design's target is a
 *       p99 at most twice the idle one.</li>
 * </ul>
 * Not part of the quick comparison: a sync per commit and a 100 MiB history make it slower.
 */
final class RealComparison {

  /** The flag of {@code compare} that selects this section. */
  static final String FLAG = "--real";

  /** The writer p99 during recovery may be at most this many times the idle p99. */
  static final double MAX_RECOVERY_P99_RATIO = 2.0;

  static final String USAGE =
      """
      Usage: loomraid compare --real [options]

      Measures mirroring on backends that do real I/O, and what a recovery costs the writers:
        mirror    commit latency of a RAID over FileStorage backends synced at every commit, and
                  over RemoteStorage backends on loopback servers, per write path (SEQUENTIAL,
                  PARALLEL_STRUCTURED, PARALLEL_THREADS), against one such backend (the floor)
        recovery  writer commit latency while a backend recovers a 100 MiB history, against the
                  same RAID idle (memory and file backends); target: p99 <= 2 x idle p99

        --sections LIST      mirror, recovery or both (default mirror,recovery)
        --backends N         backends of the mirroring RAID (1..8; default 3)
        --records LIST       records per transaction of the mirroring, e.g. 1,10 (default 10)
        --csv FILE           also write the rows to FILE as CSV
        -f, --forks N        JMH forks per configuration (>= 1; default 1)
        -wi, --warmup-iterations N   warm-up iterations (default 1)
        -w, --warmup-time TIME       warm-up iteration time (default 2s)
        -i, --iterations N   measurement iterations (default 3)
        -r, --time TIME      measurement iteration time (default 2s)
        -v, --verbose        show JMH's own output
        -h, --help           show this text

      Exit status: 0 done, 1 a benchmark failed, 2 bad options.
      """;

  static final String CSV_HEADER = "section,storage,path,backends,records,mean_us,p50_us,p99_us,"
      + "p50_vs_floor,speedup_vs_sequential,p99_vs_idle";

  private RealComparison() {}

  /** Whether {@code args} ask for this section. */
  static boolean isRequested(String[] args) {
    return List.of(args).contains(FLAG);
  }

  /** The section's settings. */
  record Options(Set<String> sections, int backends, List<Integer> records, Optional<Path> csv,
      int forks, int warmupIterations, TimeValue warmupTime, int iterations,
      TimeValue iterationTime, boolean verbose, boolean help)
      implements CompareArgs.JmhRun {}

  /**
   * Parses the section's arguments ({@value #FLAG} among them).
   *
   * @throws UsageException naming the offending option
   */
  static Options parse(String[] args) {
    Set<String> sections = Set.of("mirror", "recovery");
    int backends = 3;
    List<Integer> records = List.of(10);
    Path csv = null;
    int forks = 1;
    int warmupIterations = 1;
    TimeValue warmupTime = TimeValue.seconds(2);
    int iterations = 3;
    TimeValue iterationTime = TimeValue.seconds(2);
    boolean verbose = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      switch (name) {
        case FLAG -> { }
        case "-v", "--verbose" -> verbose = true;
        case "-h", "--help" -> help = true;
        default -> {
          String option = known(name);
          if (i + 1 >= args.length) {
            throw new UsageException(option + " needs a value");
          }
          String value = args[++i];
          switch (option) {
            case "--sections" -> sections = sections(value);
            case "--backends" -> backends = integer(option, value, 1, 8);
            case "--records" -> records = integers(option, value, 1, CompareOptions.MAX_RECORDS);
            case "--csv" -> csv = csvPath(value);
            case "-f", "--forks" -> forks = integer(option, value, 1, 100);
            case "-wi", "--warmup-iterations" -> warmupIterations = integer(option, value, 0, 1000);
            case "-w", "--warmup-time" -> warmupTime = time(option, value);
            case "-i", "--iterations" -> iterations = integer(option, value, 1, 1000);
            default -> iterationTime = time(option, value);
          }
        }
      }
    }
    return new Options(sections, backends, records, Optional.ofNullable(csv), forks,
        warmupIterations, warmupTime, iterations, iterationTime, verbose, help);
  }

  private static String known(String name) {
    return switch (name) {
      case "--sections", "--backends", "--records", "--csv", "-f", "--forks", "-wi",
          "--warmup-iterations", "-w", "--warmup-time", "-i", "--iterations", "-r", "--time" ->
          name;
      default -> throw new UsageException(name.startsWith("-")
          ? "unknown option for --real: " + name : "unexpected argument: " + name);
    };
  }

  private static Set<String> sections(String value) {
    Set<String> sections = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      String section = part.trim().toLowerCase(Locale.ROOT);
      if (!section.equals("mirror") && !section.equals("recovery")) {
        throw new UsageException("--sections takes mirror and recovery, not '" + part + "'");
      }
      sections.add(section);
    }
    return Set.copyOf(sections);
  }

  /** Runs the section; the tables go to {@code out}, progress and errors to {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parse(args);
    } catch (UsageException e) {
      return CompareArgs.refuse(e, USAGE, err);
    }
    if (options.help()) {
      out.print(USAGE);
      return 0;
    }
    List<CommitPath> paths = new ArrayList<>(CompareOptions.ALL_PATHS);
    Optional<String> structuredMissing = RaidSubject.structuredUnavailableReason();
    structuredMissing.ifPresent(reason -> paths.remove(CommitPath.PARALLEL_STRUCTURED));
    boolean mirror = options.sections().contains("mirror");
    boolean recovery = options.sections().contains("recovery");
    int runs = (mirror ? 2 * options.records().size() * (1 + paths.size()) : 0)
        + (recovery ? 4 : 0);
    err.printf("loomraid compare: %d benchmark runs on real backends (%s)%n", runs,
        options.jmhSettings());
    Collection<RunResult> results = CompareArgs.measure(
        jmhOptions(options, paths, mirror, recovery), runs, options.verbose(), err,
        "a benchmark on real backends");
    if (results == null) {
      return 1;
    }
    List<MirrorRow> mirrorRows = mirrorRows(results);
    List<RecoveryRow> recoveryRows = recoveryRows(results);
    out.print(header(options, structuredMissing));
    if (mirror) {
      out.println();
      out.print(mirrorTable(mirrorRows));
    }
    if (recovery) {
      out.println();
      out.print(recoveryTable(recoveryRows));
      out.println();
      out.println("Design target: writer p99 during recovery <= " + MAX_RECOVERY_P99_RATIO
          + " x idle p99:");
      for (String verdict : recoveryVerdicts(recoveryRows)) {
        out.println("  " + verdict);
      }
    }
    if (!CompareArgs.writeCsv(options.csv(), csv(mirrorRows, recoveryRows), err)) {
      return 1;
    }
    return 0;
  }

  private static org.openjdk.jmh.runner.options.Options jmhOptions(Options options,
      List<CommitPath> paths, boolean mirror, boolean recovery) {
    ChainedOptionsBuilder builder = options.sampleTime();
    if (mirror) {
      List<String> pathNames = new ArrayList<>(List.of(CommitPath.FLOOR.name()));
      paths.forEach(path -> pathNames.add(path.name()));
      builder.include("^" + Pattern.quote(RealCommitBenchmark.class.getName() + ".commit") + "$")
          .param("path", pathNames.toArray(String[]::new))
          .param("backends", String.valueOf(options.backends()))
          .param("records", options.records().stream().map(String::valueOf)
              .toArray(String[]::new));
    }
    if (recovery) {
      builder.include(
          "^" + Pattern.quote(RecoveryWriterBenchmark.class.getName() + ".commit") + "$");
    }
    return builder.build();
  }

  /** One configuration of the mirroring table. */
  record MirrorRow(String storage, CommitPath path, int backends, int records, double meanMicros,
      double p50Micros, double p99Micros, double p50VsFloor, double speedupVsSequential) {}

  /** One configuration of the recovery table. */
  record RecoveryRow(String storage, String phase, double meanMicros, double p50Micros,
      double p99Micros, double p99VsIdle) {}

  /** Reads the mirroring results into rows with their ratios, floor first per backend kind. */
  static List<MirrorRow> mirrorRows(Collection<RunResult> results) {
    List<MirrorRow> raw = new ArrayList<>();
    for (RunResult result : results) {
      if (!result.getParams().getBenchmark().startsWith(RealCommitBenchmark.class.getName())) {
        continue;
      }
      Result<?> primary = result.getPrimaryResult();
      CommitPath path = CommitPath.valueOf(result.getParams().getParam("path"));
      raw.add(new MirrorRow(result.getParams().getParam("backend"), path,
          path.isRaid() ? Integer.parseInt(result.getParams().getParam("backends")) : 1,
          Integer.parseInt(result.getParams().getParam("records")), primary.getScore(),
          primary.getStatistics().getPercentile(50), primary.getStatistics().getPercentile(99),
          Double.NaN, Double.NaN));
    }
    return withMirrorRatios(raw);
  }

  /** Adds each row's ratios to the floor and to sequential, and sorts the rows for the table. */
  static List<MirrorRow> withMirrorRatios(List<MirrorRow> raw) {
    List<MirrorRow> rows = new ArrayList<>();
    for (MirrorRow row : raw) {
      double floor = p50Of(raw, row, CommitPath.FLOOR);
      double sequential = p50Of(raw, row, CommitPath.SEQUENTIAL);
      rows.add(new MirrorRow(row.storage(), row.path(), row.backends(), row.records(),
          row.meanMicros(), row.p50Micros(), row.p99Micros(), row.p50Micros() / floor,
          row.path().isRaid() ? sequential / row.p50Micros() : Double.NaN));
    }
    rows.sort((a, b) -> !a.storage().equals(b.storage()) ? a.storage().compareTo(b.storage())
        : a.records() != b.records() ? Integer.compare(a.records(), b.records())
        : a.path().compareTo(b.path()));
    return rows;
  }

  private static double p50Of(List<MirrorRow> rows, MirrorRow like, CommitPath path) {
    return rows.stream().filter(r -> r.path() == path && r.storage().equals(like.storage())
            && r.records() == like.records())
        .mapToDouble(MirrorRow::p50Micros).findFirst().orElse(Double.NaN);
  }

  /** Reads the recovery results into rows, each with its p99 over the idle p99 of its storage. */
  static List<RecoveryRow> recoveryRows(Collection<RunResult> results) {
    List<RecoveryRow> raw = new ArrayList<>();
    for (RunResult result : results) {
      if (!result.getParams().getBenchmark().startsWith(
          RecoveryWriterBenchmark.class.getName())) {
        continue;
      }
      Result<?> primary = result.getPrimaryResult();
      raw.add(new RecoveryRow(result.getParams().getParam("storage"),
          result.getParams().getParam("phase"), primary.getScore(),
          primary.getStatistics().getPercentile(50), primary.getStatistics().getPercentile(99),
          Double.NaN));
    }
    return withRecoveryRatios(raw);
  }

  /** Adds each row's p99 over the idle p99 of the same storage, and sorts the rows. */
  static List<RecoveryRow> withRecoveryRatios(List<RecoveryRow> raw) {
    List<RecoveryRow> rows = new ArrayList<>();
    for (RecoveryRow row : raw) {
      double idle = raw.stream()
          .filter(r -> r.phase().equals("IDLE") && r.storage().equals(row.storage()))
          .mapToDouble(RecoveryRow::p99Micros).findFirst().orElse(Double.NaN);
      rows.add(new RecoveryRow(row.storage(), row.phase(), row.meanMicros(), row.p50Micros(),
          row.p99Micros(), row.p99Micros() / idle));
    }
    rows.sort((a, b) -> !a.storage().equals(b.storage()) ? b.storage().compareTo(a.storage())
        : a.phase().compareTo(b.phase()));
    return rows;
  }

  static String mirrorTable(List<MirrorRow> rows) {
    String format = "%-7s  %-19s  %8s  %7s  %10s  %10s  %10s  %12s  %21s%n";
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, format, "storage", "path",
        "backends", "records", "mean_us", "p50_us", "p99_us", "p50_vs_floor",
        "speedup_vs_sequential"));
    String previous = null;
    for (MirrorRow row : rows) {
      if (previous != null && !previous.equals(row.storage() + row.records())) {
        out.append(System.lineSeparator());
      }
      previous = row.storage() + row.records();
      out.append(String.format(Locale.ROOT, format, row.storage(), row.path(), row.backends(),
          row.records(), decimal(row.meanMicros(), 1), decimal(row.p50Micros(), 1),
          decimal(row.p99Micros(), 1), decimal(row.p50VsFloor(), 2),
          decimal(row.speedupVsSequential(), 2)));
    }
    return out.toString();
  }

  static String recoveryTable(List<RecoveryRow> rows) {
    String format = "%-7s  %-10s  %10s  %10s  %10s  %11s%n";
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, format, "storage", "phase",
        "mean_us", "p50_us", "p99_us", "p99_vs_idle"));
    for (RecoveryRow row : rows) {
      out.append(String.format(Locale.ROOT, format, row.storage(), row.phase(),
          decimal(row.meanMicros(), 1), decimal(row.p50Micros(), 1), decimal(row.p99Micros(), 1),
          decimal(row.p99VsIdle(), 2)));
    }
    return out.toString();
  }

  /** One line per storage measured while recovering: its p99 ratio against the target. */
  static List<String> recoveryVerdicts(List<RecoveryRow> rows) {
    List<String> lines = new ArrayList<>();
    for (RecoveryRow row : rows) {
      if (!row.phase().equals("RECOVERING")) {
        continue;
      }
      lines.add(Double.isNaN(row.p99VsIdle())
          ? row.storage() + ": idle not measured"
          : String.format(Locale.ROOT, "%-7s p99 %.2f x idle (<= %.1f) %s", row.storage(),
              row.p99VsIdle(), MAX_RECOVERY_P99_RATIO,
              row.p99VsIdle() <= MAX_RECOVERY_P99_RATIO ? "MET" : "MISSED"));
    }
    if (lines.isEmpty()) {
      lines.add("no recovery was measured");
    }
    return lines;
  }

  static String csv(List<MirrorRow> mirror, List<RecoveryRow> recovery) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (MirrorRow row : mirror) {
      out.append(String.format(Locale.ROOT, "mirror,%s,%s,%d,%d,%s,%s,%s,%s,%s,%n", row.storage(),
          row.path(), row.backends(), row.records(), field(row.meanMicros(), 1),
          field(row.p50Micros(), 1), field(row.p99Micros(), 1), field(row.p50VsFloor(), 3),
          field(row.speedupVsSequential(), 3)));
    }
    for (RecoveryRow row : recovery) {
      out.append(String.format(Locale.ROOT, "recovery,%s,%s,,,%s,%s,%s,,,%s%n", row.storage(),
          row.phase(), field(row.meanMicros(), 1), field(row.p50Micros(), 1),
          field(row.p99Micros(), 1), field(row.p99VsIdle(), 3)));
    }
    return out.toString();
  }

  private static String decimal(double value, int places) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + places + "f", value);
  }

  private static String field(double value, int places) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%." + places + "f", value);
  }

  private static String header(Options options, Optional<String> structuredMissing) {
    return "loomraid compare --real: mirroring on real backends, and writers during recovery ("
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")\n"
        + "  JVM:        " + System.getProperty("java.vm.name") + ' '
        + System.getProperty("java.runtime.version") + '\n'
        + "  cores:      " + Runtime.getRuntime().availableProcessors() + '\n'
        + "  JMH:        " + options.jmhSettings() + '\n'
        + "  StructuredTaskScope path: " + structuredMissing.map(r -> "not measured: " + r)
            .orElse("active") + '\n'
        + "  mirror:     each commit updates " + options.records().stream().map(String::valueOf)
            .reduce((a, b) -> a + "/" + b).orElse("") + " records of "
        + CommitWorkload.RECORD_BYTES + " bytes; FILE: a FileStorage per backend in its own"
        + " directory under " + System.getProperty("java.io.tmpdir") + ", synced at every commit;"
        + " REMOTE: a RemoteStorage per backend to a StorageServer of its own on 127.0.0.1,"
        + " serving a MemoryStorage; floor: the same commit on one such backend, no RAID\n"
        + "  recovery:   a RAID of 3 (PARALLEL_THREADS): a and b hold a 100 MiB history (1600"
        + " transactions of 64 x 1 KiB), c is added empty; one writer commits 10 records of 256"
        + " bytes; IDLE: c stays DEGRADED; RECOVERING: from the start of the warm-up c is recovered"
        + " over and over (removed and added empty each time it is promoted), so every sample falls"
        + " during a recovery; the writer's commits add to the history meanwhile; FILE backends"
        + " sync at every commit and restore\n";
  }
}
