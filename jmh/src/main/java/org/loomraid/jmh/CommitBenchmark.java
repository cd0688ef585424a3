package org.loomraid.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commit latency of a RAID-1 per write path, backend count, backend latency and transaction size,
 * over memory backends behind simulated latency. One client commits one transaction at a time;
 * the throughput of a single client is the inverse of the mean.
 *
 * <p>{@code PARALLEL_STRUCTURED} needs the forked JVM to run JDK 25 with {@code --enable-preview}
 * (start JMH with it: forks inherit the JVM's options); the subject refuses to open otherwise,
 * rather than measure the other path under the wrong name.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CommitBenchmark {

  /** How many disjoint object sets each writer cycles through (see {@link CommitWorkload}). */
  static final int OBJECT_SETS = 1024;

  /** The write path: {@code SEQUENTIAL}, {@code PARALLEL_STRUCTURED} or {@code PARALLEL_THREADS}. */
  @Param({"SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Number of backends. */
  @Param({"1", "2", "3", "5", "8"})
  public int backends;

  /** Latency of every backend call, in microseconds. */
  @Param({"0", "100", "1000"})
  public int latencyMicros;

  /** Records written per transaction. */
  @Param({"1", "10", "100"})
  public int records;

  private Storage subject;
  private CommitWorkload workload;

  /** Opens a fresh RAID for each iteration, so earlier iterations' history costs nothing. */
  @Setup(Level.Iteration)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    if (!commitPath.isRaid()) {
      throw new IllegalArgumentException(
          "path must be a RAID path, not " + path + " (the floor is CommitFloorBenchmark)");
    }
    subject = commitPath.open(backends, Duration.ofNanos(latencyMicros * 1_000L));
    workload = new CommitWorkload(subject, records, OBJECT_SETS);
  }

  /** Checks that no backend was lost during the iteration, then closes the RAID. */
  @TearDown(Level.Iteration)
  public void close() {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      subject.close();
    }
  }

  /** One transaction: begin, {@code records} stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
