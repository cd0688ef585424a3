package org.loomraid.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.testing.LatencyStorage;
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

/**
 * The cost of one fan-out phase at zero backend latency, so that nothing but the fan-out is left
 * to measure, from a platform-thread caller and from a virtual-thread caller.
 *
 * <p>{@link #phase()} measures {@code lastTransaction()}: on a RAID exactly one fan-out (a call to
 * every backend, joined under one deadline, results compared), on the floor one call.
 * {@link #emptyCommit()} measures a transaction with no stores: on a RAID two phases (vote,
 * commit) plus the commit lock and bookkeeping. The overhead per phase of a path is (its time minus
 * the floor's) for {@code phase}, and half that for {@code emptyCommit}.
 *
 * <ul>
 *   <li>{@code path}: {@code FLOOR} (one backend, no RAID); {@code REFERENCE}, the hand-written
 *       fan-out ({@link ReferenceFanOut}: one virtual thread per backend, {@code invokeAll}, no
 *       vote), which the engine should match; or a RAID write path.</li>
 *   <li>{@code backend}: {@code MEMORY}, a bare {@code MemoryStorage}, which declares that its
 *       reads and transactions never block, so the RAID calls it on the caller's thread; or
 *       {@code WRAPPED}, the same behind a zero-latency {@code LatencyStorage}, which declares
 *       nothing, so the RAID gives every call a virtual thread and a deadline, as for any backend
 *       that does I/O.</li>
 *   <li>{@code caller}: {@code PLATFORM}, the JMH thread itself; or {@code VIRTUAL}, a virtual
 *       thread started per invocation, as in a server that runs each request on one.</li>
 * </ul>
 * Each invocation makes {@value #BATCH} calls in a row on its caller, and every sample is their
 * mean (so the start of a virtual caller is shared by the batch); the median of the samples is the
 * figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FanOutBenchmark {

  /** Calls per invocation, made in a row on the same caller. */
  static final int BATCH = 50;

  /** Virtual callers, one per invocation. */
  private static final ThreadFactory CALLERS = BenchmarkThreads.virtual("bench-caller-");

  /** {@code FLOOR}, {@code REFERENCE}, or a RAID write path ({@link CommitPath}). */
  @Param({"FLOOR", "REFERENCE", "SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** {@code MEMORY} (never blocks: called on the caller's thread) or {@code WRAPPED}. */
  @Param({"MEMORY", "WRAPPED"})
  public String backend;

  /** {@code PLATFORM} or {@code VIRTUAL}. */
  @Param({"PLATFORM", "VIRTUAL"})
  public String caller;

  /** Number of backends of the RAID paths and the reference (the floor always has one). */
  @Param("3")
  public int backends;

  private Supplier<Tid> phase;
  private Supplier<Tid> emptyCommit;
  private AutoCloseable subject;
  private Storage checked;
  private boolean virtualCaller;

  /** Opens the subject once: nothing accumulates, an empty transaction stores nothing. */
  @Setup(Level.Trial)
  public void open() {
    virtualCaller = switch (caller) {
      case "PLATFORM" -> false;
      case "VIRTUAL" -> true;
      default -> throw new IllegalArgumentException(
          "caller must be PLATFORM or VIRTUAL, not " + caller);
    };
    if (path.equals("REFERENCE")) {
      List<Storage> storages = new ArrayList<>();
      for (int i = 0; i < backends; i++) {
        storages.add(backend("b" + i));
      }
      ReferenceFanOut reference = new ReferenceFanOut(storages);
      subject = reference;
      phase = reference::phase;
      emptyCommit = reference::emptyCommit;
      return;
    }
    CommitPath commitPath = CommitPath.valueOf(path);
    List<StorageOpener> openers = new ArrayList<>();
    for (int i = 0; i < (commitPath.isRaid() ? backends : 1); i++) {
      String name = "b" + i;
      openers.add(() -> backend(name));
    }
    Storage storage = commitPath.open(openers);
    CommitWorkload empty = CommitWorkload.empty(storage);
    subject = storage;
    checked = storage;
    phase = storage::lastTransaction;
    emptyCommit = empty::commitOnce;
  }

  private Storage backend(String name) {
    MemoryStorage memory = MemoryStorage.create(name);
    return switch (backend) {
      case "MEMORY" -> memory;
      case "WRAPPED" -> LatencyStorage.fixed(memory, Duration.ZERO);
      default -> throw new IllegalArgumentException(
          "backend must be MEMORY or WRAPPED, not " + backend);
    };
  }

  /** Checks that no backend was lost, then closes the subject. */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    try {
      if (checked != null) {
        RaidSubject.requireIntact(checked);
      }
    } finally {
      subject.close();
    }
  }

  /** {@value #BATCH} fan-out phases: {@code lastTransaction()} asked of every backend. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Tid phase() throws InterruptedException {
    return batch(phase);
  }

  /** {@value #BATCH} empty transactions: begin, vote, commit; two phases each on a RAID. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Tid emptyCommit() throws InterruptedException {
    return batch(emptyCommit);
  }

  private Tid batch(Supplier<Tid> call) throws InterruptedException {
    if (!virtualCaller) {
      return repeat(call);
    }
    Tid[] result = new Tid[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread thread = CALLERS.newThread(() -> {
      try {
        result[0] = repeat(call);
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    });
    thread.start();
    thread.join();
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0];
  }

  private static Tid repeat(Supplier<Tid> call) {
    Tid last = null;
    for (int i = 0; i < BATCH; i++) {
      last = call.get();
    }
    return last;
  }
}
