package org.loomraid.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
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
 * Opening a large {@code FileStorage}: the time to validate every unit of the log and rebuild the
 * index ({@code open}), and the heap the index then holds ({@code weighIndex}, whose time includes
 * collections and means nothing: it prints the heap held, per revision and per transaction). The log is written once per trial, with fsync off, in one of three shapes:
 *
 * <ul>
 *   <li>{@code NEW_OBJECTS}: 1,000,000 transactions, each writing a new 64-byte object (one revision
 *       per object: the index's worst case per revision);
 *   <li>{@code HOT_OBJECTS}: 1,000,000 transactions of one 64-byte record over 1,000 objects (a
 *       thousand revisions each);
 *   <li>{@code ONE_GIB}: 1 GiB of data, 131,072 transactions of one 8 KiB record over 1,000 objects.
 * </ul>
 * The log is in the page cache when it is opened (it was just written): the figures are the
 * storage's own cost, not the device's read rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class FileOpenBenchmark {

  /** The log's shape: see the class comment. */
  @Param({"NEW_OBJECTS", "HOT_OBJECTS", "ONE_GIB"})
  public String shape;

  private FileBackends folder;
  private StorageStats written;
  private long logBytes;
  private FileStorage opened;

  /** Writes the log once for the whole trial. */
  @Setup(Level.Trial)
  public void writeLog() throws IOException {
    LogShape logShape = LogShape.valueOf(shape);
    folder = new FileBackends(1);
    long started = System.nanoTime();
    try (FileStorage storage = FileStorage.builder(folder.directory(0)).name("open-bench")
        .fsyncPolicy(FsyncPolicy.NONE).open()) {
      logShape.write(storage);
      written = storage.stats();
    }
    logBytes = Files.size(folder.directory(0).resolve("loomraid.log"));
    System.out.printf("%n%s: wrote %,d transactions, %,d bytes of log in %.1f s%n", shape,
        written.transactions(), logBytes, (System.nanoTime() - started) / 1e9);
  }

  /** Deletes the log. */
  @TearDown(Level.Trial)
  public void deleteLog() {
    folder.close();
  }

  /** Closes what {@link #open} opened, outside the timed part. */
  @TearDown(Level.Iteration)
  public void closeOpened() {
    if (opened != null) {
      opened.close();
      opened = null;
    }
  }

  /** Opens the storage: validates the log and rebuilds the index. */
  @Benchmark
  public FileStorage open() {
    opened = openStorage();
    return opened;
  }

  /** Opens the storage and prints the heap its index holds (the time includes collections). */
  @Benchmark
  public long weighIndex() {
    long before = HeapMeter.usedAfterGc();
    try (FileStorage storage = openStorage()) {
      long held = HeapMeter.usedAfterGc() - before;
      StorageStats stats = storage.stats();
      if (!stats.equals(written)) {
        throw new IllegalStateException("reopened " + stats + ", wrote " + written);
      }
      System.out.printf("%n%s: the open storage holds %,d bytes of heap: %.1f per revision, %.1f per"
          + " transaction (%,d objects, log of %,d bytes)%n", shape, held,
          (double) held / LogShape.valueOf(shape).revisions(), (double) held / stats.transactions(),
          stats.objects(), logBytes);
      return held;
    }
  }

  private FileStorage openStorage() {
    try {
      return FileStorage.builder(folder.directory(0)).name("open-bench").fsyncPolicy(FsyncPolicy.NONE).open();
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("the benchmark log did not open: " + e, e);
    }
  }

  /** How the log is filled. */
  enum LogShape {
    NEW_OBJECTS(1_000_000, 1_000_000, 64),
    HOT_OBJECTS(1_000_000, 1_000, 64),
    ONE_GIB(131_072, 1_000, 8 * 1024);

    private static final TransactionMeta META = TransactionMeta.of("bench", "open");

    private final int transactions;
    private final int objects;
    private final int recordBytes;

    LogShape(int transactions, int objects, int recordBytes) {
      this.transactions = transactions;
      this.objects = objects;
      this.recordBytes = recordBytes;
    }

    /** Revisions in the log: one per transaction. */
    long revisions() {
      return transactions;
    }

    /** Writes the transactions with {@code restore}, tids 1, 2, ... */
    void write(FileStorage storage) {
      byte[] data = new byte[recordBytes];
      new SplittableRandom(7).nextBytes(data);
      for (int t = 0; t < transactions; t++) {
        data[0] = (byte) t;
        data[1] = (byte) (t >>> 8);
        storage.restore(new TransactionRecord(Tid.of(t + 1L), META,
            List.of(new DataRecord(Oid.of(1 + t % objects), data))));
      }
    }
  }
}
