package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.loomraid.storage.Tid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Commit cost of a hot object after 1,000, 100,000 and 1,000,000 revisions: one object of
 * {@value HotObject#DATA_BYTES} bytes rewritten by ordinary commits (begin, one store over the last
 * serial, vote, commit) in a storage that already holds that many revisions of it. The figure is
 * the ratio of the cost at 1,000,000 revisions to the cost at 1,000: a cost that does not grow with
 * history gives 1 (target: at most 1.2).
 *
 * <p>The three histories live side by side in one JVM, each in a storage of its own, and every
 * sample times {@value #COMMITS_PER_SAMPLE} commits on each of them in turn (the order rotates),
 * so the three figures share the machine's moment, the compiler's state and the heap: on a shared
 * machine, figures taken in separate forks minutes apart differ by more than the effect measured.
 * JMH's score is the mean over all three; the figures are printed at the trial's end: the median
 * microseconds per commit at each size, and their ratios, which a stall or a collection in one
 * sample does not move.
 *
 * <p>The commits lengthen the histories, so before an iteration whose commits would take one past
 * twice its size, that history is rebuilt (and {@value #SETTLE_COMMITS} unmeasured commits let the
 * fresh storage settle): every figure is measured with between its size and twice that many
 * revisions (for 100,000 and 1,000,000 a run adds a few percent). Before the histories are built,
 * a scratch storage takes {@value #JIT_WARMUP_COMMITS} commits, so the compiler has seen the commit
 * path. Building a history prints the heap per revision it holds (data included for
 * {@code MEMORY}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 10)
@Measurement(iterations = 50)
public class HotObjectCommitBenchmark {

  /** The history sizes compared. */
  static final int[] REVISIONS = {1_000, 100_000, 1_000_000};

  /** Commits timed together as one sample of one history. */
  static final int COMMITS_PER_SAMPLE = 200;

  /** Unmeasured commits after a rebuild. */
  static final int SETTLE_COMMITS = 100;

  /** Commits on a scratch storage before the measured histories are built. */
  static final int JIT_WARMUP_COMMITS = 20_000;

  /** {@code MEMORY} or {@code FILE} (fsync off). */
  @Param({"MEMORY", "FILE"})
  public String storage;

  private HistoryStorage kind;
  private final HotObject[] hot = new HotObject[REVISIONS.length];
  private final List<List<Double>> samples = new ArrayList<>();
  private int rotation;
  private boolean measuring;

  /** Warms up the commit path on a scratch storage, then builds the three histories. */
  @Setup(Level.Trial)
  public void warmUpAndBuild() {
    kind = HistoryStorage.valueOf(storage);
    try (HotObject scratch = new HotObject(kind, 1)) {
      for (int i = 0; i < JIT_WARMUP_COMMITS; i++) {
        scratch.commit();
      }
    }
    for (int s = 0; s < REVISIONS.length; s++) {
      hot[s] = build(REVISIONS[s]);
      samples.add(new ArrayList<>());
    }
  }

  private HotObject build(int revisions) {
    HotObject built = new HotObject(kind, revisions);
    System.out.printf("%n%s, %,d revisions: %,d bytes of heap per revision%n", kind, revisions,
        built.heapPerRevision());
    return built;
  }

  /**
   * Rebuilds a history before an iteration that would take it past twice its size; notes whether
   * the iteration is measured (warm-up samples are not kept for the medians).
   */
  @Setup(Level.Iteration)
  public void keepTheHistoriesNearTheirSize(IterationParams iteration) {
    measuring = iteration.getType() == IterationType.MEASUREMENT;
    for (int s = 0; s < REVISIONS.length; s++) {
      if (hot[s].commits() + COMMITS_PER_SAMPLE > REVISIONS[s]) {
        hot[s].close();
        hot[s] = build(REVISIONS[s]);
        for (int i = 0; i < SETTLE_COMMITS; i++) {
          hot[s].commit();
        }
      }
    }
  }

  /** Prints the median cost at each size and their ratio; closes the storages. */
  @TearDown(Level.Trial)
  public void reportAndClose() {
    double[] medians = new double[REVISIONS.length];
    StringBuilder line = new StringBuilder(kind + " median us/commit:");
    for (int s = 0; s < REVISIONS.length; s++) {
      medians[s] = median(samples.get(s));
      line.append(String.format(" %,d revisions %.3f;", REVISIONS[s], medians[s]));
    }
    line.append(String.format(" ratio 1M/1k %.2f, 100k/1k %.2f (%d samples each)",
        medians[2] / medians[0], medians[1] / medians[0], samples.get(0).size()));
    System.out.printf("%n%s%n", line);
    for (HotObject object : hot) {
      if (object != null) {
        object.close();
      }
    }
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** {@value #COMMITS_PER_SAMPLE} commits of each hot object, timed per object. */
  @Benchmark
  @OperationsPerInvocation(COMMITS_PER_SAMPLE * 3)
  public Tid commit() {
    double[] micros = new double[REVISIONS.length];
    Tid last = Tid.NONE;
    for (int k = 0; k < REVISIONS.length; k++) {
      int s = (rotation + k) % REVISIONS.length;
      long started = System.nanoTime();
      for (int i = 0; i < COMMITS_PER_SAMPLE; i++) {
        last = hot[s].commit();
      }
      micros[s] = (System.nanoTime() - started) / 1e3 / COMMITS_PER_SAMPLE;
    }
    rotation++;
    if (measuring) {
      for (int s = 0; s < REVISIONS.length; s++) {
        samples.get(s).add(micros[s]);
      }
    }
    return last;
  }
}
