package org.loomraid.jmh;

import static org.loomraid.jmh.CompareArgs.csvPath;
import static org.loomraid.jmh.CompareArgs.integer;
import static org.loomraid.jmh.CompareArgs.integers;
import static org.loomraid.jmh.CompareArgs.time;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The comparison runner's command line, parsed and checked before anything is measured.
 *
 * @param profile the preset the other settings started from
 * @param backends backend counts to measure
 * @param latenciesMicros backend latencies to measure, in microseconds
 * @param records records per transaction to measure
 * @param paths the RAID write paths to measure (the floor is always measured)
 * @param pathsGiven whether {@code --modes} named the paths (then a missing one is an error)
 * @param forks JMH forks per configuration
 * @param warmupIterations JMH warm-up iterations
 * @param warmupTime JMH warm-up iteration time
 * @param iterations JMH measurement iterations
 * @param iterationTime JMH measurement iteration time
 * @param csv where to write the rows as CSV, if anywhere
 * @param verbose whether to show JMH's own output instead of one progress line per run
 * @param help whether usage was asked for (everything else is then ignored)
 */
record CompareOptions(
    ComparisonProfile profile,
    List<Integer> backends,
    List<Integer> latenciesMicros,
    List<Integer> records,
    List<CommitPath> paths,
    boolean pathsGiven,
    int forks,
    int warmupIterations,
    TimeValue warmupTime,
    int iterations,
    TimeValue iterationTime,
    Optional<Path> csv,
    boolean verbose,
    boolean help) implements CompareArgs.JmhRun {

  /** The most backends a configuration may have. */
  static final int MAX_BACKENDS = 64;

  /** The largest backend latency accepted, in microseconds (ten seconds). */
  static final int MAX_LATENCY_MICROS = 10_000_000;

  /** The most records per transaction accepted. */
  static final int MAX_RECORDS = 10_000;

  /** The RAID paths measured unless {@code --modes} says otherwise. */
  static final List<CommitPath> ALL_PATHS =
      List.of(CommitPath.SEQUENTIAL, CommitPath.PARALLEL_STRUCTURED, CommitPath.PARALLEL_THREADS);

  static final String USAGE =
      """
      Usage: loomraid compare [--quick | --full] [--csv FILE] [options]

      Measures commit latency of a RAID-1 over simulated-latency backends for each write path
      (SEQUENTIAL, PARALLEL_STRUCTURED, PARALLEL_THREADS) against the floor (the same commit on
      one backend, no RAID), and prints one table.

        --quick              one configuration, a few seconds each (a smoke test, < 1 minute)
        --full               every configuration: backends 1,2,3,5,8 x latency 0,100,1000 us
                             x records 1,10,100, longer iterations (about 20 minutes)
        --csv FILE           also write the rows to FILE as CSV
        --backends LIST      backend counts, e.g. 1,3,8 (1..64)
        --latency LIST       backend latencies in microseconds, e.g. 0,100,1000
        --records LIST       records per transaction, e.g. 10 (1..10000)
        --modes LIST         RAID paths to measure (default: all the JVM supports)
        -f, --forks N        JMH forks per configuration (>= 1)
        -wi, --warmup-iterations N   warm-up iterations (>= 0)
        -w, --warmup-time TIME       warm-up iteration time, e.g. 1s, 500ms
        -i, --iterations N   measurement iterations (>= 1)
        -r, --time TIME      measurement iteration time, e.g. 1s, 500ms
        -v, --verbose        show JMH's own output
        -h, --help           show this text
        --postgres           measure two-phase commits on PostgreSQL instead (a section of its
                             own; --postgres --help lists its options)
        --real               measure mirroring on synced file storages and on remote storages,
                             and writers during a recovery, instead (a section of its own;
                             --real --help lists its options)

      Exit status: 0 done, 1 a benchmark failed, 2 bad options.
      """;

  /**
   * Parses the runner's arguments.
   *
   * @throws UsageException naming the offending option if an argument is unknown, lacks its
   *     value, or has a value out of range
   */
  static CompareOptions parse(String... args) {
    Builder builder = new Builder();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inlineValue = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        inlineValue = arg.substring(equals + 1);
      }
      if (isFlag(name)) {
        if (inlineValue != null) {
          throw new UsageException(name + " takes no value");
        }
        builder.flag(name);
        continue;
      }
      String value = inlineValue;
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(requireKnown(name) + " needs a value");
        }
        value = args[++i];
      }
      builder.option(requireKnown(name), value);
    }
    return builder.build();
  }

  private static boolean isFlag(String name) {
    return switch (name) {
      case "--quick", "--full", "-v", "--verbose", "-h", "--help" -> true;
      default -> false;
    };
  }

  private static String requireKnown(String name) {
    return switch (name) {
      case "--csv", "--backends", "--latency", "--records", "--modes", "-f", "--forks", "-wi",
          "--warmup-iterations", "-w", "--warmup-time", "-i", "--iterations", "-r", "--time" ->
          name;
      default -> throw new UsageException(
          name.startsWith("-") ? "unknown option: " + name : "unexpected argument: " + name);
    };
  }

  /** Collects settings in any order, then applies them over the chosen profile. */
  private static final class Builder {
    private boolean quick;
    private boolean full;
    private boolean verbose;
    private boolean help;
    private List<Integer> backends;
    private List<Integer> latencies;
    private List<Integer> records;
    private List<CommitPath> paths;
    private Integer forks;
    private Integer warmupIterations;
    private TimeValue warmupTime;
    private Integer iterations;
    private TimeValue iterationTime;
    private Path csv;

    void flag(String name) {
      switch (name) {
        case "--quick" -> quick = true;
        case "--full" -> full = true;
        case "-v", "--verbose" -> verbose = true;
        default -> help = true;
      }
    }

    void option(String name, String value) {
      switch (name) {
        case "--csv" -> csv = csvPath(value);
        case "--backends" -> backends = integers(name, value, 1, MAX_BACKENDS);
        case "--latency" -> latencies = integers(name, value, 0, MAX_LATENCY_MICROS);
        case "--records" -> records = integers(name, value, 1, MAX_RECORDS);
        case "--modes" -> paths = pathList(value);
        case "-f", "--forks" -> forks = integer(name, value, 1, 100);
        case "-wi", "--warmup-iterations" -> warmupIterations = integer(name, value, 0, 1000);
        case "-w", "--warmup-time" -> warmupTime = time(name, value);
        case "-i", "--iterations" -> iterations = integer(name, value, 1, 1000);
        default -> iterationTime = time(name, value);
      }
    }

    CompareOptions build() {
      if (quick && full) {
        throw new UsageException("--quick and --full exclude each other");
      }
      ComparisonProfile profile = ComparisonProfile.DEFAULT;
      if (quick) {
        profile = ComparisonProfile.QUICK;
      } else if (full) {
        profile = ComparisonProfile.FULL;
      }
      return new CompareOptions(
          profile,
          orElse(backends, profile.backends),
          orElse(latencies, profile.latenciesMicros),
          orElse(records, profile.records),
          orElse(paths, ALL_PATHS),
          paths != null,
          orElse(forks, profile.forks),
          orElse(warmupIterations, profile.warmupIterations),
          orElse(warmupTime, profile.warmupTime),
          orElse(iterations, profile.iterations),
          orElse(iterationTime, profile.iterationTime),
          Optional.ofNullable(csv),
          verbose,
          help);
    }

    private static <T> T orElse(T given, T fallback) {
      return given != null ? given : fallback;
    }
  }

  private static List<CommitPath> pathList(String value) {
    LinkedHashSet<CommitPath> values = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      String wanted = part.trim().toUpperCase(Locale.ROOT);
      CommitPath path = null;
      for (CommitPath candidate : ALL_PATHS) {
        if (candidate.name().equals(wanted)) {
          path = candidate;
        }
      }
      if (path == null) {
        throw new UsageException("--modes takes SEQUENTIAL, PARALLEL_STRUCTURED and "
            + "PARALLEL_THREADS, not '" + part + "'");
      }
      values.add(path);
    }
    return List.copyOf(values);
  }

  /** The settings in one line, for the table's header. */
  @Override
  public String jmhSettings() {
    return "profile " + profile.name().toLowerCase(Locale.ROOT) + ", "
        + CompareArgs.JmhRun.super.jmhSettings();
  }
}
