/**
 * JMH benchmarks of the RAID engine and the comparison runner that is the project's main job.
 *
 * <p>Every benchmark builds its subject through {@link org.loomraid.jmh.CommitPath}, one enum
 * constant per write path, so each path runs the same workload ({@link
 * org.loomraid.jmh.CommitWorkload}) and is checked, when opened, to be the path it claims.
 * {@link org.loomraid.jmh.CompareRunner} runs a selection of them through JMH's API and prints
 * one table: per configuration, each path's mean and median commit latency, its speedup over
 * sequential mirroring, and its ratio to the floor (one backend, no RAID).
 *
 * <p>Run from the shaded {@code jmh/target/benchmarks.jar} (multi-release, so the
 * StructuredTaskScope fan-out is found on JDK 25) through {@code ./loomraid compare} or
 * {@code ./loomraid bench}. Benchmarks run one JMH thread each unless stated; concurrent clients
 * are virtual threads created by the benchmark itself.
 */
package org.loomraid.jmh;
