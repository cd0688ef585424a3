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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code ./loomraid compare --postgres} section: commit latency with real two-phase commits
 * on PostgreSQL ({@link PostgresCommitBenchmark}): one {@code PostgresStorage}, the floor, and a
 * RAID of them per write path, on one server the section starts (or names), with the server's
 * configuration in the header. Not part of the quick comparison: a server and a commit per
 * {@code fsync} make it slower, and it measures the database more than the RAID.
 */
final class PostgresComparison {

  /** The flag of {@code compare} that selects this section. */
  static final String FLAG = "--postgres";

  static final String USAGE =
      """
      Usage: loomraid compare --postgres [options]

      Measures commit latency on PostgreSQL, where every commit is a two-phase commit
      (PREPARE TRANSACTION at vote, COMMIT PREPARED at commit): one PostgresStorage (the floor)
      and a RAID of them, one database each, per write path (SEQUENTIAL, PARALLEL_STRUCTURED,
      PARALLEL_THREADS). Starts an embedded PostgreSQL server (Linux x86-64) unless given one.

        --records LIST       records per transaction, e.g. 1,10 (1..10000; default 1,10)
        --backends N         backends of the RAID (1..8; default 3)
        --fsync on|off       whether the embedded server syncs its log at every commit (default on)
        --server URL         a running server instead: jdbc:postgresql://host:port/db?user=...;
                             its user creates the databases b0.. and a schema per iteration
        --csv FILE           also write the rows to FILE as CSV
        -f, --forks N        JMH forks per configuration (>= 1; default 1)
        -wi, --warmup-iterations N   warm-up iterations (default 1)
        -w, --warmup-time TIME       warm-up iteration time (default 1s)
        -i, --iterations N   measurement iterations (default 3)
        -r, --time TIME      measurement iteration time (default 1s)
        -v, --verbose        show JMH's own output
        -h, --help           show this text

      Exit status: 0 done, 1 a benchmark failed, 2 bad options.
      """;

  private static final String CSV_HEADER =
      "path,backends,records,mean_us,p50_us,p50_vs_floor,speedup_vs_sequential";

  private PostgresComparison() {}

  /** Whether {@code args} ask for this section. */
  static boolean isRequested(String[] args) {
    return List.of(args).contains(FLAG);
  }

  /** The section's settings. */
  record Options(List<Integer> records, int backends, boolean fsync, Optional<String> server,
      Optional<Path> csv, int forks, int warmupIterations, TimeValue warmupTime, int iterations,
      TimeValue iterationTime, boolean verbose, boolean help)
      implements CompareArgs.JmhRun {}

  /**
   * Parses the section's arguments ({@value #FLAG} among them).
   *
   * @throws UsageException naming the offending option
   */
  static Options parse(String[] args) {
    List<Integer> records = List.of(1, 10);
    int backends = 3;
    boolean fsync = true;
    String server = null;
    Path csv = null;
    int forks = 1;
    int warmupIterations = 1;
    TimeValue warmupTime = TimeValue.seconds(1);
    int iterations = 3;
    TimeValue iterationTime = TimeValue.seconds(1);
    boolean verbose = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      switch (name) {
        case FLAG -> { }
        case "-v", "--verbose" -> verbose = true;
        case "-h", "--help" -> help = true;
        default -> {
          if (i + 1 >= args.length) {
            throw new UsageException(known(name) + " needs a value");
          }
          String value = args[++i];
          switch (known(name)) {
            case "--records" -> records = integers(name, value, 1, CompareOptions.MAX_RECORDS);
            case "--backends" -> backends = integer(name, value, 1, 8);
            case "--fsync" -> fsync = onOff(name, value);
            case "--server" -> server = url(value);
            case "--csv" -> csv = csvPath(value);
            case "-f", "--forks" -> forks = integer(name, value, 1, 100);
            case "-wi", "--warmup-iterations" -> warmupIterations = integer(name, value, 0, 1000);
            case "-w", "--warmup-time" -> warmupTime = time(name, value);
            case "-i", "--iterations" -> iterations = integer(name, value, 1, 1000);
            default -> iterationTime = time(name, value);
          }
        }
      }
    }
    if (server != null && !fsync) {
      throw new UsageException("--fsync applies to the embedded server only; a running server"
          + " keeps its own configuration");
    }
    return new Options(records, backends, fsync, Optional.ofNullable(server),
        Optional.ofNullable(csv), forks, warmupIterations, warmupTime, iterations, iterationTime,
        verbose, help);
  }

  private static String known(String name) {
    return switch (name) {
      case "--records", "--backends", "--fsync", "--server", "--csv", "-f", "--forks", "-wi",
          "--warmup-iterations", "-w", "--warmup-time", "-i", "--iterations", "-r", "--time" ->
          name;
      default -> throw new UsageException(name.startsWith("-")
          ? "unknown option for --postgres: " + name : "unexpected argument: " + name);
    };
  }

  private static boolean onOff(String name, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new UsageException(name + " takes on or off, not '" + value + "'");
    };
  }

  private static String url(String value) {
    if (!value.startsWith("jdbc:postgresql://")) {
      throw new UsageException("--server needs a jdbc:postgresql://host:port/database URL, not '"
          + value.replaceAll("(?i)password=[^&]*", "password=***") + "'");
    }
    return value;
  }

  /** Runs the section; the table goes to {@code out}, progress and errors to {@code err}. */
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
    PostgresServer server;
    try {
      server = options.server().map(PostgresServer::running)
          .orElseGet(() -> PostgresServer.startEmbedded(options.fsync()));
    } catch (RuntimeException e) {
      err.println("loomraid compare: cannot start or reach the PostgreSQL server: " + e.getMessage());
      return 1;
    }
    try (server) {
      server.createBackendDatabases(options.backends());
      String configuration = server.describe();
      int runs = options.records().size() * (1 + paths.size());
      err.printf("loomraid compare: %d PostgreSQL benchmark runs (%s)%n", runs,
          options.jmhSettings());
      Collection<RunResult> results = CompareArgs.measure(
          jmhOptions(options, paths, server.url("postgres")), runs, options.verbose(), err,
          "a PostgreSQL benchmark");
      if (results == null) {
        return 1;
      }
      List<Row> rows = rows(results);
      out.print(header(options, configuration, structuredMissing));
      out.println();
      out.print(table(rows));
      if (!CompareArgs.writeCsv(options.csv(), csv(rows), err)) {
        return 1;
      }
      return 0;
    }
  }

  private static org.openjdk.jmh.runner.options.Options jmhOptions(Options options,
      List<CommitPath> paths, String serverUrl) {
    List<String> pathNames = new ArrayList<>(List.of(CommitPath.FLOOR.name()));
    paths.forEach(path -> pathNames.add(path.name()));
    return options.sampleTime()
        .include("^" + Pattern.quote(PostgresCommitBenchmark.class.getName() + ".commit") + "$")
        .param("path", pathNames.toArray(String[]::new))
        .param("backends", String.valueOf(options.backends()))
        .param("records", options.records().stream().map(String::valueOf).toArray(String[]::new))
        .param("server", serverUrl)
        .build();
  }

  /** One configuration's figures. */
  record Row(CommitPath path, int backends, int records, double meanMicros, double p50Micros,
      double p50VsFloor, double speedupVsSequential) {}

  /** Reads JMH's results into rows, with each row's ratios to the floor and to sequential. */
  static List<Row> rows(Collection<RunResult> results) {
    List<Row> raw = new ArrayList<>();
    for (RunResult result : results) {
      Result<?> primary = result.getPrimaryResult();
      CommitPath path = CommitPath.valueOf(result.getParams().getParam("path"));
      raw.add(new Row(path, path.isRaid() ? Integer.parseInt(result.getParams().getParam("backends")) : 1,
          Integer.parseInt(result.getParams().getParam("records")), primary.getScore(),
          primary.getStatistics().getPercentile(50), Double.NaN, Double.NaN));
    }
    List<Row> rows = new ArrayList<>();
    for (Row row : raw) {
      double floor = p50Of(raw, CommitPath.FLOOR, row.records());
      double sequential = p50Of(raw, CommitPath.SEQUENTIAL, row.records());
      rows.add(new Row(row.path(), row.backends(), row.records(), row.meanMicros(),
          row.p50Micros(), row.p50Micros() / floor,
          row.path().isRaid() ? sequential / row.p50Micros() : Double.NaN));
    }
    rows.sort((a, b) -> a.records() != b.records() ? Integer.compare(a.records(), b.records())
        : a.path().compareTo(b.path()));
    return rows;
  }

  private static double p50Of(List<Row> rows, CommitPath path, int records) {
    return rows.stream().filter(r -> r.path() == path && r.records() == records)
        .mapToDouble(Row::p50Micros).findFirst().orElse(Double.NaN);
  }

  static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-20s %8s %7s %10s %10s %13s %22s%n",
        "path", "backends", "records", "mean_us", "p50_us", "p50_vs_floor", "speedup_vs_sequential"));
    for (Row row : rows) {
      out.append(String.format(Locale.ROOT, "%-20s %8d %7d %10.1f %10.1f %13.2f %22s%n",
          row.path(), row.backends(), row.records(), row.meanMicros(), row.p50Micros(),
          row.p50VsFloor(), Double.isNaN(row.speedupVsSequential()) ? "-"
              : String.format(Locale.ROOT, "%.2f", row.speedupVsSequential())));
    }
    return out.toString();
  }

  static String csv(List<Row> rows) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (Row row : rows) {
      out.append(String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%.3f,%s%n", row.path(),
          row.backends(), row.records(), row.meanMicros(), row.p50Micros(), row.p50VsFloor(),
          Double.isNaN(row.speedupVsSequential()) ? ""
              : String.format(Locale.ROOT, "%.3f", row.speedupVsSequential())));
    }
    return out.toString();
  }

  private static String header(Options options, String configuration,
      Optional<String> structuredMissing) {
    return "loomraid compare --postgres: commit latency with two-phase commit on PostgreSQL ("
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")\n"
        + "  JVM:        " + System.getProperty("java.vm.name") + ' '
        + System.getProperty("java.runtime.version") + '\n'
        + "  cores:      " + Runtime.getRuntime().availableProcessors() + '\n'
        + "  PostgreSQL: " + configuration + '\n'
        + "  JMH:        " + options.jmhSettings() + '\n'
        + "  StructuredTaskScope path: " + structuredMissing.map(r -> "not measured: " + r)
            .orElse("active") + '\n'
        + "  workload:   each commit updates " + options.records().stream().map(String::valueOf)
            .reduce((a, b) -> a + "/" + b).orElse("") + " records of "
        + CommitWorkload.RECORD_BYTES + " bytes; each backend is a PostgresStorage in its own"
        + " database on that server (pool of 3), a fresh schema per iteration\n"
        + "  floor:      the same commit on one PostgresStorage, no RAID\n";
  }
}
