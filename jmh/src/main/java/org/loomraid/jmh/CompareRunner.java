package org.loomraid.jmh;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * The project's main job: measures commit latency of sequential and parallel mirroring against
 * the floor in one JMH run, and prints one comparison table (and optionally CSV).
 *
 * <p>Started by {@code ./loomraid compare}, which runs it on JDK 25 with {@code --enable-preview};
 * JMH's forked JVMs inherit this JVM's options, so the StructuredTaskScope path is measured
 * exactly when it is available here. Exit status: 0 done, 1 a benchmark failed, 2 bad options.
 */
public final class CompareRunner {

  private CompareRunner() {}

  /**
   * Runs the comparison with the given command-line options and exits with its status.
   *
   * @param args see {@link CompareOptions#USAGE}
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the comparison; the table goes to {@code out}, progress and errors to {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (PostgresComparison.isRequested(args)) {
      return PostgresComparison.run(args, out, err);
    }
    if (RealComparison.isRequested(args)) {
      return RealComparison.run(args, out, err);
    }
    CompareOptions options;
    try {
      options = CompareOptions.parse(args);
    } catch (UsageException e) {
      return CompareArgs.refuse(e, CompareOptions.USAGE, err);
    }
    if (options.help()) {
      out.print(CompareOptions.USAGE);
      return 0;
    }
    Optional<String> structuredMissing = RaidSubject.structuredUnavailableReason();
    List<CommitPath> paths = new ArrayList<>(options.paths());
    if (structuredMissing.isPresent() && paths.contains(CommitPath.PARALLEL_STRUCTURED)) {
      if (options.pathsGiven()) {
        err.println("loomraid compare: --modes PARALLEL_STRUCTURED cannot run here: "
            + structuredMissing.get());
        return 2;
      }
      paths.remove(CommitPath.PARALLEL_STRUCTURED);
    }
    Collection<RunResult> results = measure(options, paths, err);
    if (results == null) {
      return 1;
    }
    return report(options, structuredMissing, results, out, err);
  }

  /** Runs the JMH selection; returns null (having said why on {@code err}) if it failed. */
  private static Collection<RunResult> measure(
      CompareOptions options, List<CommitPath> paths, PrintStream err) {
    int runs = options.latenciesMicros().size() * options.records().size()
        * (1 + paths.size() * options.backends().size());
    err.printf("loomraid compare: %d benchmark runs (%s)%n", runs, options.jmhSettings());
    return CompareArgs.measure(jmhOptions(options, paths), runs, options.verbose(), err,
        "a benchmark");
  }

  /** Prints the header, the table and the target verdicts, and writes the CSV if asked. */
  private static int report(CompareOptions options, Optional<String> structuredMissing,
      Collection<RunResult> results, PrintStream out, PrintStream err) {
    List<Measurement> measurements = new ArrayList<>();
    BenchmarkParams forked = null;
    for (RunResult result : results) {
      measurements.add(measurement(result));
      forked = result.getParams();
    }
    List<ComparisonRow> rows = ComparisonTable.rows(measurements);
    out.print(header(options, structuredMissing, forked));
    out.println();
    out.print(ComparisonTable.table(rows));
    out.println();
    out.println("Design targets at " + CommitTargets.TARGET_LATENCY_MICROS
        + " us backend latency (parallel <= 1.10 x floor; speedup >= 0.9 x backends):");
    for (String verdict : CommitTargets.verdicts(rows)) {
      out.println("  " + verdict);
    }
    if (!CompareArgs.writeCsv(options.csv(), ComparisonTable.csv(rows), err)) {
      return 1;
    }
    return 0;
  }

  private static org.openjdk.jmh.runner.options.Options jmhOptions(
      CompareOptions options, List<CommitPath> paths) {
    ChainedOptionsBuilder builder = options.sampleTime()
        .include("^" + Pattern.quote(CommitFloorBenchmark.class.getName() + ".commit") + "$")
        .param("latencyMicros", strings(options.latenciesMicros()))
        .param("records", strings(options.records()));
    if (!paths.isEmpty()) {
      builder.include("^" + Pattern.quote(CommitBenchmark.class.getName() + ".commit") + "$")
          .param("path", paths.stream().map(CommitPath::name).toArray(String[]::new))
          .param("backends", strings(options.backends()));
    }
    return builder.build();
  }

  private static String[] strings(List<Integer> values) {
    return values.stream().map(String::valueOf).toArray(String[]::new);
  }

  /** Reads one JMH result: its configuration from the parameters, mean and median in us. */
  static Measurement measurement(RunResult result) {
    BenchmarkParams params = result.getParams();
    Result<?> primary = result.getPrimaryResult();
    if (!"us/op".equals(primary.getScoreUnit())) {
      throw new IllegalStateException("expected us/op, JMH reported " + primary.getScoreUnit());
    }
    boolean floor = params.getBenchmark().startsWith(CommitFloorBenchmark.class.getName() + ".");
    return new Measurement(
        floor ? 1 : Integer.parseInt(params.getParam("backends")),
        Integer.parseInt(params.getParam("latencyMicros")),
        Integer.parseInt(params.getParam("records")),
        floor ? CommitPath.FLOOR : CommitPath.valueOf(params.getParam("path")),
        primary.getScore(),
        primary.getStatistics().getPercentile(50));
  }

  private static String header(
      CompareOptions options, Optional<String> structuredMissing, BenchmarkParams forked) {
    StringBuilder out = new StringBuilder();
    out.append("loomraid compare: commit latency, sequential vs parallel mirroring (")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(")\n");
    out.append("  JVM:        ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(" (")
        .append(System.getProperty("java.vendor")).append(")\n");
    if (forked != null) {
      out.append("  forks run:  ").append(forked.getJvm()).append(' ')
          .append(String.join(" ", forked.getJvmArgs())).append('\n');
    }
    out.append("  StructuredTaskScope path: ").append(structuredMissing.isEmpty()
        ? "active (PARALLEL_STRUCTURED measured on it)"
        : "not available, PARALLEL_STRUCTURED not measured: " + structuredMissing.get())
        .append('\n');
    out.append("  cores:      ").append(Runtime.getRuntime().availableProcessors()).append('\n');
    out.append("  JMH ").append(forked != null ? forked.getJmhVersion() : "")
        .append(":   ").append(options.jmhSettings()).append('\n');
    out.append("  workload:   each commit updates ").append(String.join("/",
            options.records().stream().map(String::valueOf).toList()))
        .append(" records of ").append(CommitWorkload.RECORD_BYTES)
        .append(" bytes; backends are MemoryStorage, every call delayed by latency_us\n");
    out.append("  floor:      the same commit on one such backend, no RAID\n");
    out.append("  ratios:     speedup_vs_sequential and ratio_to_floor compare medians (p50), "
        + "which stalls from a busy machine or the collector move far less than means\n");
    return out.toString();
  }
}
