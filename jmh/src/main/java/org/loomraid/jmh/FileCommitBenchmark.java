package org.loomraid.jmh;

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
 * Commit latency of a RAID-1 over {@code FileStorage} backends (fsync off, so the page cache, not
 * the device, absorbs the writes), per write path, next to the floor: one file storage without a
 * RAID. The same workload as {@link CommitBenchmark}; the floor always has one backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FileCommitBenchmark {

  /** {@code FLOOR} (one file storage, no RAID) or a RAID path. */
  @Param({"FLOOR", "SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Number of backends of the RAID paths (the floor always has one). */
  @Param({"3"})
  public int backends;

  /** Records written per transaction. */
  @Param({"1", "10", "100"})
  public int records;

  private FileBackends files;
  private Storage subject;
  private CommitWorkload workload;

  /** Creates fresh directories and opens the subject for each iteration. */
  @Setup(Level.Iteration)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    files = new FileBackends(commitPath.isRaid() ? backends : 1);
    try {
      subject = commitPath.open(files.openers());
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
    workload = new CommitWorkload(subject, records, CommitBenchmark.OBJECT_SETS);
  }

  /** Checks that no backend was lost, closes the subject and deletes its files. */
  @TearDown(Level.Iteration)
  public void close() {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      try {
        subject.close();
      } finally {
        files.close();
      }
    }
  }

  /** One transaction: begin, {@code records} stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
