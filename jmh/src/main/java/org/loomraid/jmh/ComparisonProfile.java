package org.loomraid.jmh;

import java.util.List;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How much the comparison runner measures by default: which configurations, and how long JMH
 * warms up and measures each one. Options given on the command line override single settings.
 */
enum ComparisonProfile {
  /** A smoke run for CI: one configuration, a few seconds per path; well under a minute. */
  QUICK(List.of(3), List.of(1000), List.of(10), 1, 1, TimeValue.milliseconds(300), 2,
      TimeValue.milliseconds(300)),
  /** The README's run: about three minutes on two cores. */
  DEFAULT(List.of(1, 3, 8), List.of(0, 100, 1000), List.of(10), 1, 1, TimeValue.seconds(1), 2,
      TimeValue.seconds(1)),
  /** Every configuration of the design (5 backend counts, 3 latencies, 3 sizes); about an hour. */
  FULL(List.of(1, 2, 3, 5, 8), List.of(0, 100, 1000), List.of(1, 10, 100), 1, 2,
      TimeValue.seconds(1), 5, TimeValue.seconds(1));

  final List<Integer> backends;
  final List<Integer> latenciesMicros;
  final List<Integer> records;
  final int forks;
  final int warmupIterations;
  final TimeValue warmupTime;
  final int iterations;
  final TimeValue iterationTime;

  ComparisonProfile(List<Integer> backends, List<Integer> latenciesMicros, List<Integer> records,
      int forks, int warmupIterations, TimeValue warmupTime, int iterations,
      TimeValue iterationTime) {
    this.backends = backends;
    this.latenciesMicros = latenciesMicros;
    this.records = records;
    this.forks = forks;
    this.warmupIterations = warmupIterations;
    this.warmupTime = warmupTime;
    this.iterations = iterations;
    this.iterationTime = iterationTime;
  }
}
