package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks the comparison's rows against the commit targets in the design: at 1 ms backend latency
 * and up to 8 backends, parallel commit latency at most 1.10 x the floor, and a speedup over
 * sequential of at least 0.9 x the number of backends. Both are judged on the rows' ratios, which
 * compare medians (see {@link ComparisonTable}).
 */
final class CommitTargets {

  /** The backend latency the targets are stated for, in microseconds. */
  static final int TARGET_LATENCY_MICROS = 1000;

  /** The most backends the targets are stated for. */
  static final int TARGET_MAX_BACKENDS = 8;

  /** Parallel p50 / floor p50 must not exceed this. */
  static final double MAX_RATIO_TO_FLOOR = 1.10;

  /** Speedup over sequential must reach this times the backend count. */
  static final double MIN_SPEEDUP_PER_BACKEND = 0.9;

  private CommitTargets() {}

  /**
   * One verdict line per parallel row the targets apply to; a single explanatory line if none
   * does (no 1 ms configuration measured).
   */
  static List<String> verdicts(List<ComparisonRow> rows) {
    List<String> lines = new ArrayList<>();
    for (ComparisonRow row : rows) {
      Measurement m = row.measurement();
      if (!m.path().isParallel() || m.latencyMicros() != TARGET_LATENCY_MICROS
          || m.backends() > TARGET_MAX_BACKENDS) {
        continue;
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
          "%-19s %d backends, %d records: ", m.path(), m.backends(), m.records()));
      if (row.ratioToFloor().isPresent()) {
        double ratio = row.ratioToFloor().getAsDouble();
        line.append(String.format(Locale.ROOT, "%.2f x floor (<= %.2f) %s", ratio,
            MAX_RATIO_TO_FLOOR, ratio <= MAX_RATIO_TO_FLOOR ? "MET" : "MISSED"));
      } else {
        line.append("floor not measured");
      }
      line.append("; ");
      if (row.speedupVsSequential().isPresent()) {
        double speedup = row.speedupVsSequential().getAsDouble();
        double wanted = MIN_SPEEDUP_PER_BACKEND * m.backends();
        line.append(String.format(Locale.ROOT, "speedup %.2f (>= %.2f) %s", speedup, wanted,
            speedup >= wanted ? "MET" : "MISSED"));
      } else {
        line.append("sequential not measured");
      }
      lines.add(line.toString());
    }
    if (lines.isEmpty()) {
      lines.add("no parallel configuration at " + TARGET_LATENCY_MICROS
          + " us backend latency was measured; the commit targets apply there");
    }
    return lines;
  }
}
