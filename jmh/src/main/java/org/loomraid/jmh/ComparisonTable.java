package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns measurements into the comparison's rows, and rows into text: the printed table and CSV.
 *
 * <p>Rows are grouped by workload (latency, then records); in each group the floor comes first,
 * then every backend count with its paths in {@link CommitPath} order. The speedup and the ratio to
 * the floor compare median latencies: a shared machine's scheduling stalls and the collector's
 * pauses land in a few samples and move the mean far more than the median. Means are printed too.
 */
final class ComparisonTable {

  /** The CSV header; the columns are part of the runner's documented output. */
  static final String CSV_HEADER =
      "backends,latency_us,records,mode,mean_us,p50_us,speedup_vs_sequential,ratio_to_floor";

  private static final Comparator<Measurement> ORDER =
      Comparator.comparingInt(Measurement::latencyMicros)
          .thenComparingInt(Measurement::records)
          .thenComparing(m -> m.path() != CommitPath.FLOOR)
          .thenComparingInt(Measurement::backends)
          .thenComparing(Measurement::path);

  private ComparisonTable() {}

  /**
   * Computes every measurement's speedup over sequential mirroring of the same configuration and
   * its ratio to the floor of the same workload, in table order.
   *
   * @throws IllegalArgumentException if two measurements are of the same path and configuration
   */
  static List<ComparisonRow> rows(Collection<Measurement> measurements) {
    List<Measurement> sorted = new ArrayList<>(measurements);
    sorted.sort(ORDER);
    List<ComparisonRow> rows = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      Measurement m = sorted.get(i);
      if (i > 0 && ORDER.compare(sorted.get(i - 1), m) == 0) {
        throw new IllegalArgumentException("measured twice: " + m);
      }
      OptionalDouble speedup = OptionalDouble.empty();
      if (m.path().isRaid()) {
        speedup = find(sorted, CommitPath.SEQUENTIAL, m.backends(), m)
            .map(sequential -> OptionalDouble.of(sequential.p50Micros() / m.p50Micros()))
            .orElse(OptionalDouble.empty());
      }
      OptionalDouble ratio = find(sorted, CommitPath.FLOOR, 1, m)
          .map(floor -> OptionalDouble.of(m.p50Micros() / floor.p50Micros()))
          .orElse(OptionalDouble.empty());
      rows.add(new ComparisonRow(m, speedup, ratio));
    }
    return rows;
  }

  private static Optional<Measurement> find(
      List<Measurement> all, CommitPath path, int backends, Measurement like) {
    return all.stream()
        .filter(m -> m.path() == path && m.backends() == backends && m.sameWorkload(like))
        .findFirst();
  }

  /** Formats rows as an aligned text table, a blank line between workloads. */
  static String table(List<ComparisonRow> rows) {
    String format = "%8s  %10s  %7s  %-19s  %11s  %11s  %21s  %14s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, format, "backends", "latency_us", "records", "mode",
        "mean_us", "p50_us", "speedup_vs_sequential", "ratio_to_floor"));
    Measurement previous = null;
    for (ComparisonRow row : rows) {
      Measurement m = row.measurement();
      if (previous != null && !previous.sameWorkload(m)) {
        out.append(System.lineSeparator());
      }
      out.append(String.format(Locale.ROOT, format, m.backends(), m.latencyMicros(), m.records(),
          m.path(), decimal(m.meanMicros(), 1), decimal(m.p50Micros(), 1),
          ratio(row.speedupVsSequential(), 2, "-"), ratio(row.ratioToFloor(), 2, "-")));
      previous = m;
    }
    return out.toString();
  }

  /** Formats rows as CSV under {@link #CSV_HEADER}; a missing ratio is an empty field. */
  static String csv(List<ComparisonRow> rows) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (ComparisonRow row : rows) {
      Measurement m = row.measurement();
      out.append(m.backends()).append(',')
          .append(m.latencyMicros()).append(',')
          .append(m.records()).append(',')
          .append(m.path()).append(',')
          .append(decimal(m.meanMicros(), 3)).append(',')
          .append(decimal(m.p50Micros(), 3)).append(',')
          .append(ratio(row.speedupVsSequential(), 3, "")).append(',')
          .append(ratio(row.ratioToFloor(), 3, "")).append('\n');
    }
    return out.toString();
  }

  private static String ratio(OptionalDouble value, int places, String missing) {
    return value.isPresent() ? decimal(value.getAsDouble(), places) : missing;
  }

  private static String decimal(double value, int places) {
    return String.format(Locale.ROOT, "%." + places + "f", value);
  }
}
