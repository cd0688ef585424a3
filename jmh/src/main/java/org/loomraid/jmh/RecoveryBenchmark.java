package org.loomraid.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.raid.RecoveryHandle;
import org.loomraid.raid.RecoveryPhase;
import org.loomraid.raid.RecoveryProgress;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
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
 * Recovery throughput: the time to bring an empty backend up to date with a 100 MiB history
 * ({@value #TRANSACTIONS} transactions of {@value #RECORDS_PER_TRANSACTION} new objects of
 * {@value #RECORD_BYTES} bytes), next to the time to write the same transactions to the same kind
 * of storage directly. Both scores are milliseconds per 100 MiB, so the recovery's share of the
 * raw write rate is {@code RAW_WRITE / RECOVERY}.
 *
 * <ul>
 *   <li>{@code RECOVERY}: a RAID whose only optimal backend holds the history gets an empty
 *       backend added and recovered ({@code admin().add}, {@code admin().recover}, await); the
 *       measured time ends when the new backend is OPTIMAL.</li>
 *   <li>{@code RAW_WRITE}: the same transactions committed one by one ({@code begin(meta, tid)},
 *       stores, vote, commit) to an empty storage of the same kind, no RAID.</li>
 * </ul>
 * {@code storage} picks memory backends or file backends (fsync off). No writers run meanwhile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class RecoveryBenchmark {

  /** Bytes of object data per record. */
  static final int RECORD_BYTES = 1024;

  /** Records per transaction. */
  static final int RECORDS_PER_TRANSACTION = 64;

  /** Transactions in the history: 1600 x 64 x 1 KiB = 100 MiB of object data. */
  static final int TRANSACTIONS = 1600;

  /** How long a recovery may take before the benchmark fails. */
  static final Duration RECOVERY_DEADLINE = Duration.ofMinutes(5);

  /** {@code RECOVERY} or {@code RAW_WRITE}. */
  @Param({"RECOVERY", "RAW_WRITE"})
  public String copy;

  /** {@code MEMORY} or {@code FILE} (fsync off) backends. */
  @Param({"MEMORY", "FILE"})
  public String storage;

  private List<TransactionRecord> history;
  private FileBackends files;
  private RaidStorage raid;
  private Storage target;

  /** Builds the history once: new objects only, so every store expects {@link Tid#NONE}. */
  @Setup(Level.Trial)
  public void buildHistory() {
    history = history();
  }

  /**
   * The 100 MiB history: {@value #TRANSACTIONS} transactions of new objects, tids 1, 2, ..., the
   * same bytes every time (seeded).
   */
  static List<TransactionRecord> history() {
    List<TransactionRecord> history = new ArrayList<>(TRANSACTIONS);
    SplittableRandom random = new SplittableRandom(42);
    long tid = Tid.of(1).value();
    long oid = 1;
    for (int t = 0; t < TRANSACTIONS; t++) {
      List<DataRecord> records = new ArrayList<>(RECORDS_PER_TRANSACTION);
      for (int r = 0; r < RECORDS_PER_TRANSACTION; r++) {
        byte[] data = new byte[RECORD_BYTES];
        random.nextBytes(data);
        records.add(new DataRecord(Oid.of(oid++), data));
      }
      history.add(new TransactionRecord(Tid.of(tid++), TransactionMeta.of("bench", "t" + t),
          records));
    }
    return history;
  }

  /**
   * Prepares one copy: for {@code RECOVERY} a RAID whose backend {@code source} holds the history
   * and an empty backend {@code target} added to it; for {@code RAW_WRITE} an empty storage.
   */
  @Setup(Level.Iteration)
  public void prepare() {
    boolean file = storage.equals("FILE");
    if (!file && !storage.equals("MEMORY")) {
      throw new IllegalArgumentException("storage must be MEMORY or FILE, not " + storage);
    }
    files = file ? new FileBackends(2) : null;
    StorageOpener empty = file ? files.openers().get(1) : () -> MemoryStorage.create("target");
    switch (copy) {
      case "RECOVERY" -> {
        raid = RaidSubject.open(CommitPath.PARALLEL_THREADS, List.of(filledSource(file)),
            ReadPolicy.RANDOM);
        raid.admin().add("target", empty);
      }
      case "RAW_WRITE" -> target = open(empty);
      default -> throw new IllegalArgumentException(
          "copy must be RECOVERY or RAW_WRITE, not " + copy);
    }
  }

  /**
   * An opener of a storage that holds the history. A file storage is filled, closed and reopened
   * by the RAID; a memory storage keeps its content only as long as the instance, so the opener
   * returns the filled instance itself.
   */
  private StorageOpener filledSource(boolean file) {
    StorageOpener opener = file ? files.openers().get(0) : () -> MemoryStorage.create("source");
    Storage source = open(opener);
    for (TransactionRecord record : history) {
      source.restore(record);
    }
    if (!file) {
      return () -> source;
    }
    source.close();
    return opener;
  }

  private static Storage open(StorageOpener opener) {
    try {
      return opener.open();
    } catch (Exception e) {
      throw new IllegalStateException("a benchmark storage did not open: " + e, e);
    }
  }

  /** Copies the history onto the empty storage; returns how many bytes it copied. */
  @Benchmark
  public long copyHistory() throws InterruptedException {
    return copy.equals("RECOVERY") ? recover() : writeDirectly();
  }

  private long recover() throws InterruptedException {
    RecoveryHandle handle = raid.admin().recover("target");
    if (!handle.await(RECOVERY_DEADLINE)) {
      handle.cancel();
      throw new IllegalStateException("recovery did not end within " + RECOVERY_DEADLINE);
    }
    RecoveryProgress progress = handle.progress();
    if (progress.phase() != RecoveryPhase.DONE) {
      throw new IllegalStateException("recovery ended " + progress.phase() + ": "
          + progress.failure());
    }
    return progress.bytesCopied();
  }

  private long writeDirectly() {
    long bytes = 0;
    for (TransactionRecord record : history) {
      try (StorageTransaction txn = target.begin(record.meta(), record.tid())) {
        for (DataRecord data : record.records()) {
          txn.store(data.oid(), Tid.NONE, data.data());
          bytes += data.length();
        }
        txn.vote();
        txn.commit();
      }
    }
    return bytes;
  }

  /** Checks that the copy is complete, then closes everything and deletes any files. */
  @TearDown(Level.Iteration)
  public void verifyAndClose() {
    Tid expected = history.get(history.size() - 1).tid();
    try {
      if (raid != null) {
        for (BackendInfo backend : raid.backends()) {
          if (backend.state() != BackendState.OPTIMAL) {
            throw new IllegalStateException("after recovery " + backend + " is not OPTIMAL");
          }
        }
        RaidSubject.requireIntact(raid);
        requireLast(raid, expected);
      } else {
        requireLast(target, expected);
      }
    } finally {
      if (raid != null) {
        raid.close();
      }
      if (target != null) {
        target.close();
      }
      raid = null;
      target = null;
      if (files != null) {
        files.close();
      }
    }
  }

  private static void requireLast(Storage storage, Tid expected) {
    Tid last = storage.lastTransaction();
    if (!last.equals(expected)) {
      throw new IllegalStateException(
          storage.name() + " ends at " + last + " after the copy, not at " + expected);
    }
  }
}
