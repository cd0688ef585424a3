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
 * The cost of one fan-out phase, with zero-latency memory backends so that nothing but the
 * fan-out is left to measure.
 *
 * <p>{@link #phase()} measures {@code lastTransaction()}: on a RAID that is exactly one fan-out
 * (a call to every backend on its own thread, joined under one deadline, results compared), and
 * on the floor a single volatile read. The fan-out overhead per phase of a path is its time minus
 * the floor's. {@link #emptyCommit()} measures a transaction with no stores, which on a RAID is
 * two phases (vote, commit) plus the RAID's commit lock and bookkeeping: (its time minus the
 * floor's) / 2 is the per-phase cost as a commit sees it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FanOutBenchmark {

  /** {@code FLOOR} (one storage, no RAID), {@code SEQUENTIAL} or a parallel path. */
  @Param({"FLOOR", "SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Number of backends of the RAID paths (the floor always has one). */
  @Param("3")
  public int backends;

  private Storage subject;
  private CommitWorkload empty;

  /** Opens the subject once: nothing accumulates, an empty transaction stores nothing. */
  @Setup(Level.Trial)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    subject = commitPath.open(commitPath.isRaid() ? backends : 1, Duration.ZERO);
    empty = CommitWorkload.empty(subject);
  }

  /** Checks that no backend was lost, then closes the subject. */
  @TearDown(Level.Trial)
  public void close() {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      subject.close();
    }
  }

  /** One fan-out phase: {@code lastTransaction()} asked of every backend. */
  @Benchmark
  public Tid phase() {
    return subject.lastTransaction();
  }

  /** An empty transaction: begin, vote, commit; two phases on a RAID. */
  @Benchmark
  public Tid emptyCommit() {
    return empty.commitOnce();
  }
}
