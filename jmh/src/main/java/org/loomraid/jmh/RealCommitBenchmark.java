package org.loomraid.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.raid.StorageOpener;
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
 * Commit latency on backends that do real I/O, per write path, next to the floor a user of such a
 * backend really has: the same commit on one of them, no RAID. The same workload as
 * {@link CommitBenchmark}.
 *
 * <ul>
 *   <li>{@code FILE}: a {@code FileStorage} per backend, each in its own directory, synced to the
 *       device at every commit ({@code FsyncPolicy.EVERY_COMMIT}, the default): a durable
 *       mirror on local disks (here all on one device).</li>
 *   <li>{@code REMOTE}: a {@code RemoteStorage} per backend, connected to a {@code StorageServer}
 *       of its own on the loopback address, each serving a memory storage ({@link RemoteBackends}):
 *       the network path alone.</li>
 * </ul>
 * Run by {@code ./loomraid compare --real}. Each iteration starts from empty backends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class RealCommitBenchmark {

  /** {@code FILE} (fsync at every commit) or {@code REMOTE} (loopback servers). */
  @Param({"FILE", "REMOTE"})
  public String backend;

  /** {@code FLOOR} (one backend, no RAID) or a RAID path. */
  @Param({"FLOOR", "SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Number of backends of the RAID paths (the floor always has one). */
  @Param({"3"})
  public int backends;

  /** Records written per transaction. */
  @Param({"10"})
  public int records;

  private AutoCloseable resources;
  private Storage subject;
  private CommitWorkload workload;

  /** Creates fresh backends and opens the subject for each iteration. */
  @Setup(Level.Iteration)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    int count = commitPath.isRaid() ? backends : 1;
    List<StorageOpener> openers;
    switch (backend) {
      case "FILE" -> {
        FileBackends files = new FileBackends(count, FsyncPolicy.EVERY_COMMIT);
        resources = files;
        openers = files.openers();
      }
      case "REMOTE" -> {
        RemoteBackends remote = new RemoteBackends(count);
        resources = remote;
        openers = remote.openers();
      }
      default -> throw new IllegalArgumentException(
          "backend must be FILE or REMOTE, not " + backend);
    }
    try {
      subject = commitPath.open(openers);
      workload = new CommitWorkload(subject, records, CommitBenchmark.OBJECT_SETS);
    } catch (RuntimeException e) {
      closeQuietly(resources, e);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable resource, RuntimeException failure) {
    try {
      resource.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  /** Checks that no backend was lost, closes the subject and its backends. */
  @TearDown(Level.Iteration)
  public void close() throws Exception {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      try {
        subject.close();
      } finally {
        resources.close();
      }
    }
  }

  /** One transaction: begin, {@code records} stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
