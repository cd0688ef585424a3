/**
 * JMH benchmarks of the RAID engine and the comparison runner that is the project's main job.
 *
 * <p>Groups: {@code CommitBenchmark} (commit latency per write path, backend count, backend
 * latency and transaction size, over memory backends behind {@code LatencyStorage}) with its
 * {@code CommitFloorBenchmark} (the same commit on one backend, no RAID);
 * {@code FileCommitBenchmark} (the same over {@code FileStorage}, fsync off);
 * {@code PostgresCommitBenchmark} (the same over {@code PostgresStorage}, real two-phase commits on
 * a PostgreSQL server, run by {@code ./loomraid compare --postgres});
 * {@code ConcurrencyBenchmark} (commits per second with 1 to 1024 virtual-thread clients);
 * {@code FanOutBenchmark} (one fan-out phase, and an empty commit, at zero latency, from a
 * platform-thread and a virtual-thread caller, next to the hand-written
 * {@code ReferenceFanOut});
 * {@code CallerBenchmark} (a commit to one storage across a socket, taken apart by who calls it);
 * {@code RealCommitBenchmark} (commit latency over file storages synced at every commit and over
 * remote storages on loopback servers, against one such backend) and
 * {@code RecoveryWriterBenchmark} (writer latency while a backend recovers a 100 MiB history),
 * both run by {@code ./loomraid compare --real};
 * {@code ReadBenchmark} (load per read policy with one backend ten times slower);
 * {@code RecoveryBenchmark} (recovering a 100 MiB history vs writing it directly);
 * {@code VirtualThreadBaselineBenchmark}, the control: starting and joining bare virtual threads;
 * and the storages' costs as history grows, each storage built behind
 * {@link org.loomraid.jmh.HistoryStorage}: {@code HotObjectCommitBenchmark} and
 * {@code HotObjectReadBenchmark} (one object after 1,000, 100,000 and 1,000,000 revisions) and
 * {@code FileOpenBenchmark} (opening a large log: time, and the heap its index holds).
 *
 * <p>Every benchmark builds its subject through {@link org.loomraid.jmh.CommitPath}, one enum
 * constant per write path, so each path runs the same workload ({@link
 * org.loomraid.jmh.CommitWorkload}); a RAID path is checked when it opens to run the fan-out it
 * names, and every run fails if a backend was degraded while it was measured.
 * {@link org.loomraid.jmh.CompareRunner} runs a selection through JMH's API and prints one table:
 * per configuration, each path's mean and median commit latency, its speedup over sequential
 * mirroring, and its ratio to the floor.
 *
 * <p>Run from the shaded {@code jmh/target/benchmarks.jar} (multi-release, so the
 * StructuredTaskScope fan-out is found on JDK 25) through {@code ./loomraid compare} or
 * {@code ./loomraid bench}; JMH's forks inherit the launching JVM's options, including
 * {@code --enable-preview}. Benchmarks run one JMH thread each; concurrent clients are virtual
 * threads created by the benchmark itself, in one named factory.
 */
package org.loomraid.jmh;
