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
 * The floor of the comparison: the same commit as {@link CommitBenchmark}, made directly on one
 * backend of the same latency, with no RAID in between. A parallel RAID can at best match it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CommitFloorBenchmark {

  /** Latency of every backend call, in microseconds. */
  @Param({"0", "100", "1000"})
  public int latencyMicros;

  /** Records written per transaction. */
  @Param({"1", "10", "100"})
  public int records;

  private Storage subject;
  private CommitWorkload workload;

  /** Opens a fresh backend for each iteration, so earlier iterations' history costs nothing. */
  @Setup(Level.Iteration)
  public void open() {
    subject = CommitPath.FLOOR.open(1, Duration.ofNanos(latencyMicros * 1_000L));
    workload = new CommitWorkload(subject, records, CommitBenchmark.OBJECT_SETS);
  }

  /** Closes the iteration's backend. */
  @TearDown(Level.Iteration)
  public void close() {
    subject.close();
  }

  /** One transaction: begin, {@code records} stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
