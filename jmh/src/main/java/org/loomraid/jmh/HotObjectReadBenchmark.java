package org.loomraid.jmh;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.loomraid.storage.Revision;
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
 * Read costs of a hot object after {@code revisions} revisions: {@code load} (the current revision,
 * O(1) in the history) and {@code loadBefore}/{@code loadSerial} of revisions spread over the
 * history (O(log revisions)). Reads do not change the history, so time-based iterations are used.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class HotObjectReadBenchmark {

  /** {@code MEMORY} or {@code FILE} (fsync off). */
  @Param({"MEMORY", "FILE"})
  public String storage;

  /** Revisions the object has. */
  @Param({"1000", "100000", "1000000"})
  public int revisions;

  private HotObject hot;
  private List<Tid> sample;
  private int next;

  /** Builds the history. */
  @Setup(Level.Trial)
  public void build() {
    hot = new HotObject(HistoryStorage.valueOf(storage), revisions);
    sample = hot.sample();
  }

  /** Closes the storage and deletes its files. */
  @TearDown(Level.Trial)
  public void close() {
    hot.close();
  }

  /** The current revision. */
  @Benchmark
  public Revision load() {
    return hot.storage().load(hot.oid());
  }

  /** The revision current just before a tid somewhere in the history. */
  @Benchmark
  public Optional<Revision> loadBefore() {
    return hot.storage().loadBefore(hot.oid(), nextSample().next());
  }

  /** A revision somewhere in the history, by its serial. */
  @Benchmark
  public Revision loadSerial() {
    return hot.storage().loadSerial(hot.oid(), nextSample());
  }

  private Tid nextSample() {
    next = next + 1 == sample.size() ? 0 : next + 1;
    return sample.get(next);
  }
}
