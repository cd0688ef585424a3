package org.loomraid.jmh;

import java.util.Objects;

/**
 * One configuration's measured commit latency on one path.
 *
 * @param backends number of backends (1 for the floor)
 * @param latencyMicros latency of every backend call, in microseconds
 * @param records records per transaction
 * @param path the write path measured
 * @param meanMicros mean commit latency, in microseconds
 * @param p50Micros median commit latency, in microseconds
 */
record Measurement(
    int backends, int latencyMicros, int records, CommitPath path, double meanMicros,
    double p50Micros) {

  /** Checks the fields: counts positive, latency not negative, timings positive and finite. */
  Measurement {
    Objects.requireNonNull(path, "path");
    if (backends < 1 || records < 1 || latencyMicros < 0) {
      throw new IllegalArgumentException("bad configuration: backends " + backends
          + ", latency " + latencyMicros + " us, records " + records);
    }
    if (!(meanMicros > 0) || !(p50Micros > 0) || Double.isInfinite(meanMicros)
        || Double.isInfinite(p50Micros)) {
      throw new IllegalArgumentException(
          "timings must be positive and finite: mean " + meanMicros + ", p50 " + p50Micros);
    }
  }

  /** Whether {@code other} measured the same transaction against the same backend latency. */
  boolean sameWorkload(Measurement other) {
    return latencyMicros == other.latencyMicros && records == other.records;
  }
}
