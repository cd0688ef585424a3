package org.loomraid.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.raid.RecoveryPhase;
import org.loomraid.raid.RecoveryProgress;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;
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
 * What a recovery costs the writers: commit latency while a backend recovers a 100 MiB history,
 * against the same RAID with nothing recovering. DESIGN.md's target: p99 while recovering at most
 * twice the idle p99.
 *
 * <p>The RAID has three backends: {@code a} and {@code b} hold the history of
 * {@link RecoveryBenchmark} (1600 transactions, 100 MiB) and stay OPTIMAL; {@code c} is added
 * empty. One writer (the JMH thread) commits the workload of {@link CommitBenchmark}, 10 records
 * of 256 bytes, to {@code a} and {@code b}.
 * <ul>
 *   <li>{@code IDLE}: {@code c} stays DEGRADED ("added"); nothing else runs.</li>
 *   <li>{@code RECOVERING}: from the start of the warm-up to the end of the measurement {@code c}
 *       is being recovered: as soon as one recovery has promoted it, it is removed and added empty
 *       again, and the next recovery starts. So every sample falls during a recovery (its copy,
 *       catch-up or final step under the commit lock), but for the moments between two.</li>
 * </ul>
 * {@code storage}: {@code MEMORY} backends, or {@code FILE} backends synced at every commit and
 * restore ({@code FsyncPolicy.EVERY_COMMIT}). The figure is p99 (RECOVERING) / p99 (IDLE); each
 * iteration prints (on stderr) how many recoveries have completed and where the current one is.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class RecoveryWriterBenchmark {

  /** How long one recovery may take before the benchmark fails. */
  static final Duration RECOVERY_DEADLINE = Duration.ofMinutes(5);

  /** The recovery driver: one virtual thread per iteration. */
  private static final ThreadFactory DRIVERS = BenchmarkThreads.virtual("bench-recovery-");

  /** {@code IDLE} or {@code RECOVERING}. */
  @Param({"IDLE", "RECOVERING"})
  public String phase;

  /** {@code MEMORY} or {@code FILE} (fsync at every commit) backends. */
  @Param({"MEMORY", "FILE"})
  public String storage;

  private boolean file;
  private Path root;
  private RaidStorage raid;
  private CommitWorkload workload;
  private final AtomicInteger targets = new AtomicInteger();
  private volatile boolean stopping;
  private volatile RuntimeException driverFailure;
  private Thread driver;
  private volatile RecoveryHandle current;
  private final AtomicInteger recoveries = new AtomicInteger();

  /**
   * Fills {@code a} and {@code b} with the history, opens the RAID over them, adds an empty
   * {@code c} and, for {@code RECOVERING}, starts recovering it: the recoveries run through warm-up
   * and measurement, so that they complete (a recovery takes longer than an iteration) and the
   * samples include their final steps under the commit lock.
   */
  @Setup(Level.Trial)
  public void open() throws IOException {
    file = switch (storage) {
      case "MEMORY" -> false;
      case "FILE" -> true;
      default -> throw new IllegalArgumentException("storage must be MEMORY or FILE, not " + storage);
    };
    if (!phase.equals("IDLE") && !phase.equals("RECOVERING")) {
      throw new IllegalArgumentException("phase must be IDLE or RECOVERING, not " + phase);
    }
    root = Files.createTempDirectory("loomraid-bench-recovery-");
    List<TransactionRecord> history = RecoveryBenchmark.history();
    List<StorageOpener> sources = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      sources.add(filled(name, history));
    }
    raid = RaidSubject.open(CommitPath.PARALLEL_THREADS, sources, ReadPolicy.RANDOM);
    workload = new CommitWorkload(raid, 10, CommitBenchmark.OBJECT_SETS);
    startRecovering();
  }

  /**
   * An opener of a backend that holds {@code history}: a file storage is filled with fsync off,
   * closed (which syncs it) and reopened by the RAID syncing every commit; a memory storage is
   * the filled instance itself.
   */
  private StorageOpener filled(String name, List<TransactionRecord> history) throws IOException {
    Storage source = file ? fileStorage(name, FsyncPolicy.NONE) : MemoryStorage.create(name);
    for (TransactionRecord record : history) {
      source.restore(record);
    }
    if (!file) {
      return () -> source;
    }
    source.close();
    return () -> fileStorage(name, FsyncPolicy.EVERY_COMMIT);
  }

  private FileStorage fileStorage(String name, FsyncPolicy fsync) throws IOException {
    Path directory = Files.createDirectories(root.resolve(name));
    return FileStorage.builder(directory).name(name).fsyncPolicy(fsync).open();
  }

  /** Adds an empty {@code c}, and for {@code RECOVERING} starts recovering it over and over. */
  private void startRecovering() {
    raid.admin().add("c", emptyTarget());
    if (phase.equals("RECOVERING")) {
      driver = DRIVERS.newThread(this::recoverOverAndOver);
      driver.start();
    }
  }

  /** An opener of an empty backend: a new memory storage, or a new directory. */
  private StorageOpener emptyTarget() {
    if (!file) {
      return () -> MemoryStorage.create("c");
    }
    String directory = "c" + targets.incrementAndGet();
    return () -> fileStorage(directory, FsyncPolicy.EVERY_COMMIT);
  }

  private void recoverOverAndOver() {
    try {
      while (!stopping) {
        RecoveryHandle handle = raid.admin().recover("c");
        current = handle;
        while (!handle.await(Duration.ofMillis(50))) {
          if (stopping) {
            handle.cancel();
            handle.await(RECOVERY_DEADLINE);
            return;
          }
        }
        if (handle.progress().phase() != RecoveryPhase.DONE) {
          throw new IllegalStateException("recovery ended " + handle.progress().phase() + ": "
              + handle.progress().failure());
        }
        recoveries.incrementAndGet();
        raid.admin().remove("c");
        if (file) {
          deleteTargets(); // the removed backend's directory: nothing opens it again
        }
        raid.admin().add("c", emptyTarget());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      driverFailure = new IllegalStateException("the recovery driver was interrupted", e);
    } catch (RuntimeException e) {
      driverFailure = e;
    }
  }

  /**
   * Reports how many recoveries have completed and where the current one is (on stderr, so the
   * table that {@code compare --real} prints on stdout stays clean), fails the run if the
   * recoveries failed, and collects garbage between iterations.
   */
  @TearDown(Level.Iteration)
  public void endIteration() {
    if (driverFailure != null) {
      throw driverFailure;
    }
    if (driver != null) {
      RecoveryHandle handle = current;
      String now = handle == null ? "none started" : describe(handle.progress());
      System.err.println("recoveries completed so far: " + recoveries.get() + "; current: " + now);
    }
    RaidSubject.collectGarbage();
  }

  private static String describe(RecoveryProgress progress) {
    return String.format(Locale.ROOT, "%s, %.1f of %.1f MiB in %.1f s", progress.phase(),
        progress.bytesCopied() / 1048576.0, progress.bytesTotal() / 1048576.0,
        progress.elapsed().toMillis() / 1000.0);
  }

  /** Stops the recoveries, checks that they worked, closes the RAID and deletes every file. */
  @TearDown(Level.Trial)
  public void close() throws InterruptedException {
    stopping = true;
    try {
      if (driver != null) {
        driver.join();
        System.err.println("recoveries completed in the trial: " + recoveries.get());
      }
      if (driverFailure != null) {
        throw driverFailure;
      }
    } finally {
      try {
        raid.close();
      } finally {
        delete(root);
      }
    }
  }

  /** Deletes the directories of recovered backends that have been removed (all but the newest). */
  private void deleteTargets() {
    String newest = "c" + targets.get();
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.filter(p -> p.getFileName().toString().startsWith("c")
          && !p.getFileName().toString().equals(newest)).toList()) {
        delete(child);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the recovered backends in " + root, e);
    }
  }

  private static void delete(Path path) {
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(each);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  /** One transaction: begin, 10 stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
