package org.loomraid.backends.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.BufferedTransaction;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link Storage}: an append-only transaction log in a directory, indexed in memory.
 *
 * <p>Each committed transaction is one checksummed unit at the end of {@code loomraid.log}
 * (format: {@code docs/file-format.md}). Opening the directory validates every unit and rebuilds
 * the index; a torn last unit, left by a crash during a write, is cut off (logged at WARN), while
 * damage anywhere else makes {@link #open} fail with a {@link CorruptLogException} naming the byte
 * offset. With {@link FsyncPolicy#EVERY_COMMIT} (the default) a commit is on the device before
 * {@link StorageTransaction#commit()} returns.
 *
 * <pre>{@code
 * try (FileStorage storage = FileStorage.open(directory)) {
 *   Oid oid = storage.newOid();
 *   try (StorageTransaction tx = storage.begin(TransactionMeta.of("alice", "first"))) {
 *     tx.store(oid, Tid.NONE, bytes);
 *     tx.vote();
 *     tx.commit();
 *   }
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> A directory is open in one place at a time: a second open, in this JVM or
 * another process, fails at once with {@link DirectoryLockedException}.
 *
 * <p><b>Object ids.</b> {@link #newOid()} hands out ids from blocks of {@value #OID_BLOCK}
 * reserved by a small unit in the log (synced like a commit), so an id is never handed out twice,
 * also across reopen and crashes; after a reopen the counter resumes after the last reserved
 * block. Reservations are rounded up to block boundaries, so mirrored storages that saw the same
 * calls reserve the same ids.
 *
 * <p><b>Threading and locks.</b> All methods are thread-safe. Reads take no lock: they use
 * positional reads on pooled handles and see only transactions committed before they started.
 * Locks, in the order they are taken:
 * <ol>
 *   <li>the <em>pack lock</em>: one pack at a time;
 *   <li>the <em>commit lock</em> (a fair semaphore, since vote and commit may run on different
 *       threads): held by one transaction from vote to commit or abort, by a restore, and by the
 *       last phase of a pack; waited for at most the commit lock timeout;
 *   <li>the <em>append lock</em>: the end of the log, its append handle, index updates and OID
 *       reservations; held for one write (and sync).
 * </ol>
 *
 * <p><b>Interrupts.</b> No I/O goes through an interruptible channel, so interrupting a thread
 * (as a RAID does to a backend that missed its deadline) never closes anything shared: an
 * interrupted read or commit completes normally (the flag stays set), and only waits for the
 * commit lock end early, with {@link StorageInterruptedException} and nothing committed. A commit
 * is therefore either written whole or not at all.
 *
 * <p><b>Failures.</b> I/O errors are {@link UncheckedIOException}s (failures, not answers). A
 * failed write is cut back off the log: nothing was committed, and the storage stays usable. A
 * failed sync (or a failed write that cannot be cut back) leaves what reached the device unknown:
 * <ul>
 *   <li>{@code commit()} and {@link #restore} then throw {@link CommitOutcomeUnknownException}
 *       carrying the tid: the transaction may or may not have committed;
 *   <li>{@link #newOid()} and {@link #reserveOids} throw {@link UncheckedIOException} and hand out
 *       no id from the block whose reservation failed (so no id can be handed out twice, whichever
 *       way the reservation went);
 *   <li>the storage refuses every later write (vote, restore, pack, reservations) with an
 *       {@link UncheckedIOException} until it is reopened;
 *   <li>reads go on and do not show the transaction in doubt: {@link #lastTransaction()},
 *       {@code load} and {@code transactions} answer as before it, and
 *       {@link #transactionInDoubt()} names it. Only a reopen, which reads what is on the device,
 *       tells whether it committed: the reopened storage holds it or not, and answers
 *       {@code loadSerial}/{@code transactions} accordingly.
 * </ul>
 *
 * <p><b>The ends of the id spaces.</b> A log written by an older version may hold a tid above
 * {@link Tid#MAX} or an OID reservation (or stored oid) above {@link Oid#MAX}. Such a log opens,
 * and every read answers as usual; a commit that lets the storage choose its tid is then answered
 * with {@link org.loomraid.storage.IdSpaceExhaustedException} at {@code vote()} (a caller-chosen
 * tid or a restore, with {@link StaleTidException}, since no tid in range is after the last), and
 * {@link #newOid()} with {@code IdSpaceExhaustedException}; nothing is written, across reopens too.
 */
public final class FileStorage implements Storage {

  /** The default bound on the wait for the commit lock. */
  public static final Duration DEFAULT_COMMIT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** The default and largest record size: {@link DataRecord#MAX_DATA_LENGTH} (16 MiB). */
  public static final int DEFAULT_MAX_RECORD_SIZE = DataRecord.MAX_DATA_LENGTH;

  /**
   * The largest total data of one transaction: 1 GiB. One transaction is one unit in the log, and a
   * unit must stay below 2 GiB with its headers; this bound leaves room for millions of records.
   */
  public static final long MAX_TRANSACTION_SIZE = 1L << 30;

  /** The largest metadata of one transaction ({@link TransactionMeta#byteSize()}): 16 MiB. */
  public static final int MAX_META_SIZE = 16 * 1024 * 1024;

  /** How many object ids one reservation unit reserves. */
  public static final long OID_BLOCK = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

  private static final String HOLDER_TRANSACTION = "a transaction";
  private static final String HOLDER_RESTORE = "a restore";
  private static final String HOLDER_PACK = "the last phase of a pack";

  /** Permits released on close so that every waiter for the commit lock wakes and gives up. */
  private static final int WAKE_ALL_WAITERS = 1 << 20;

  private final String name;
  private final Path directory;
  private final Path logPath;
  private final FsyncPolicy fsyncPolicy;
  private final boolean readOnly;
  private final int maxRecordSize;
  private final StorageLimits limits;
  private final Duration commitLockTimeout;
  private final TidGenerator tids;
  private final PackObserver packObserver;
  private final WriteFaults writeFaults;
  private final StepObserver stepObserver;
  private final DirectoryLock directoryLock;

  private final ReentrantLock packLock = new ReentrantLock();
  private final Semaphore commitLock = new Semaphore(1, true);
  private final ReentrantLock appendLock = new ReentrantLock();

  /** What last took the commit lock, for the message of a wait that times out. */
  private volatile String commitLockHolder = HOLDER_TRANSACTION;

  /** The current log file and index; replaced by pack under the append lock. */
  private volatile LogFile log;

  /** The last committed tid; written after the transaction is indexed, so it publishes it. */
  private volatile Tid last;

  private final AtomicLong oidCounter;

  /** Every oid up to this one is reserved in the log. Written under the append lock. */
  private volatile long reservedThrough;

  /** Set when a sync failed: what reached the device is unknown, so no more writes. */
  private volatile IOException syncFailure;

  /** The transaction whose append failed in a way that leaves its outcome unknown, or null. */
  private volatile Tid inDoubt;

  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  private FileStorage(Builder builder, DirectoryLock directoryLock, LogLoader.Loaded loaded) {
    this.name = builder.name;
    this.directory = builder.directory;
    this.logPath = builder.directory.resolve(LogLoader.LOG_FILE);
    this.fsyncPolicy = builder.fsyncPolicy;
    this.readOnly = builder.readOnly;
    this.maxRecordSize = builder.maxRecordSize;
    this.limits = new StorageLimits(builder.maxRecordSize, MAX_TRANSACTION_SIZE, MAX_META_SIZE);
    this.commitLockTimeout = builder.commitLockTimeout;
    this.tids = builder.tids;
    this.packObserver = builder.packObserver;
    this.writeFaults = builder.writeFaults;
    this.stepObserver = builder.stepObserver;
    this.directoryLock = directoryLock;
    this.log = loaded.file();
    this.last = Tid.of(loaded.lastTid());
    this.reservedThrough = loaded.reservedThrough();
    this.oidCounter = new AtomicLong(Math.max(loaded.maxOid(), loaded.reservedThrough()));
  }

  /**
   * Opens the storage in {@code directory} with default settings, creating an empty log if the
   * directory has none. See {@link Builder#open()}.
   */
  public static FileStorage open(Path directory) {
    return builder(directory).open();
  }

  /** Returns a builder for the storage in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Settings for opening a {@link FileStorage}; every setter validates at once. */
  public static final class Builder {
    private final Path directory;
    private String name;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.EVERY_COMMIT;
    private boolean readOnly;
    private int maxRecordSize = DEFAULT_MAX_RECORD_SIZE;
    private Duration commitLockTimeout = DEFAULT_COMMIT_LOCK_TIMEOUT;
    private TidGenerator tids = TidGenerator.system();
    private PackObserver packObserver = PackObserver.NONE;
    private WriteFaults writeFaults = WriteFaults.NONE;
    private StepObserver stepObserver = StepObserver.NONE;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      Path fileName = directory.toAbsolutePath().normalize().getFileName();
      this.name = fileName == null ? directory.toString() : fileName.toString();
    }

    /** The storage's name for logs and errors; defaults to the directory's name. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** When to sync the log to the device; defaults to {@link FsyncPolicy#EVERY_COMMIT}. */
    public Builder fsyncPolicy(FsyncPolicy policy) {
      this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy");
      return this;
    }

    /**
     * Opens without writing anything: every write call throws {@link ReadOnlyStorageException},
     * a torn tail is ignored rather than truncated, and the log must exist. Defaults to false.
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * The largest object data this storage accepts in a store or restore, in bytes: between 1
     * and {@link DataRecord#MAX_DATA_LENGTH} (the default). Records already in the log are read
     * whatever their size.
     */
    public Builder maxRecordSize(int bytes) {
      if (bytes < 1 || bytes > DataRecord.MAX_DATA_LENGTH) {
        throw new IllegalArgumentException("maxRecordSize must be between 1 and "
            + DataRecord.MAX_DATA_LENGTH + ", was " + bytes);
      }
      this.maxRecordSize = bytes;
      return this;
    }

    /** How long vote, restore and pack wait for the commit lock; must be positive. */
    public Builder commitLockTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "commitLockTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("commitLockTimeout must be positive, was " + timeout);
      }
      this.commitLockTimeout = timeout;
      return this;
    }

    /** Where new tids come from (a clock can be injected for tests). */
    public Builder tidGenerator(TidGenerator generator) {
      this.tids = Objects.requireNonNull(generator, "tidGenerator");
      return this;
    }

    /** Observes the steps of pack (tests simulate crashes with it). */
    Builder packObserver(PackObserver observer) {
      this.packObserver = Objects.requireNonNull(observer, "packObserver");
      return this;
    }

    /** Injects failures into appends (tests of the failure paths). */
    Builder writeFaults(WriteFaults faults) {
      this.writeFaults = Objects.requireNonNull(faults, "writeFaults");
      return this;
    }

    /** Observes steps of commits and reads (tests hold a thread at a step with it). */
    Builder stepObserver(StepObserver observer) {
      this.stepObserver = Objects.requireNonNull(observer, "stepObserver");
      return this;
    }

    /**
     * Opens the storage: takes ownership of the directory, creates the log if there is none
     * (unless read-only), validates and indexes every unit, and truncates a torn last unit.
     *
     * @throws IllegalArgumentException if the directory does not exist, is not a directory, is
     *     not writable (unless read-only), or holds no log when read-only
     * @throws DirectoryLockedException if the directory is open elsewhere
     * @throws LogFormatException if the log is not a loomraid log of a readable version
     * @throws CorruptLogException if the log is damaged other than by a torn last write
     * @throws UncheckedIOException if reading or writing the files fails
     */
    public FileStorage open() {
      checkDirectory(directory, readOnly);
      DirectoryLock lock = DirectoryLock.acquire(directory, name, readOnly);
      try {
        LogLoader.Loaded loaded = LogLoader.load(directory, name, readOnly);
        return new FileStorage(this, lock, loaded);
      } catch (IOException e) {
        lock.close();
        throw new UncheckedIOException("storage '" + name + "': cannot open the log in " + directory, e);
      } catch (RuntimeException | Error e) {
        lock.close();
        throw e;
      }
    }
  }

  private static void checkDirectory(Path directory, boolean readOnly) {
    if (!Files.exists(directory)) {
      throw new IllegalArgumentException("storage directory " + directory + " does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("storage directory " + directory + " is not a directory");
    }
    if (!readOnly && !Files.isWritable(directory)) {
      throw new IllegalArgumentException("storage directory " + directory + " is not writable"
          + " (open it read-only to read it)");
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Returns the storage's directory. */
  public Path directory() {
    return directory;
  }

  /** Returns whether the storage was opened read-only. */
  public boolean isReadOnly() {
    return readOnly;
  }

  /** Returns the fsync policy. */
  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /** Returns the largest object data a store or restore accepts, in bytes. */
  public int maxRecordSize() {
    return maxRecordSize;
  }

  @Override
  public Tid lastTransaction() {
    checkOpen();
    return last;
  }

  /**
   * Returns the transaction whose commit or restore ended in {@link CommitOutcomeUnknownException}
   * on this instance, if any. It is not visible to reads here, and the storage refuses writes;
   * reopen the storage to learn whether it committed. Empty on a freshly opened storage.
   */
  public Optional<Tid> transactionInDoubt() {
    return Optional.ofNullable(inDoubt);
  }

  /**
   * {@inheritDoc}
   *
   * <p>When the current block of reserved ids is used up, reserves the next one with a unit in the
   * log (synced according to the fsync policy) before returning.
   *
   * @throws ReadOnlyStorageException if read-only
   * @throws UncheckedIOException if writing or syncing the reservation failed: no id is handed out,
   *     and the storage refuses writes until reopened
   */
  @Override
  public Oid newOid() {
    checkOpen();
    checkWritable("allocate object ids");
    long id;
    while (true) {
      long counter = oidCounter.get();
      id = Oid.after(counter, name).value();
      if (oidCounter.compareAndSet(counter, id)) {
        break;
      }
    }
    if (id > reservedThrough) {
      reserveThrough(id);
    }
    return Oid.of(id);
  }

  /**
   * {@inheritDoc}
   *
   * @throws ReadOnlyStorageException if read-only
   * @throws UncheckedIOException if writing or syncing the reservation failed; the storage then
   *     refuses writes until reopened
   */
  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "through");
    checkOpen();
    checkWritable("reserve object ids");
    oidCounter.accumulateAndGet(through.value(), Math::max);
    if (through.value() > reservedThrough) {
      reserveThrough(through.value());
    }
  }

  /** Makes sure every id up to {@code id} is reserved in the log, a whole block at a time. */
  private void reserveThrough(long id) {
    appendLock.lock();
    try {
      checkOpen();
      if (id <= reservedThrough) {
        return;
      }
      // id <= Oid.MAX, so rounding up to a block boundary cannot overflow.
      long target = (id + OID_BLOCK - 1) / OID_BLOCK * OID_BLOCK;
      appendLocked(LogFormat.encodeReservation(target).bytes(), Tid.NONE);
      reservedThrough = target;
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    checkOpen();
    Tid snapshot = last;
    stepObserver.snapshotTaken(oid);
    while (true) {
      LogFile file = log;
      SortedPairs history = file.index().revisionsOf(oid);
      int visible = history == null ? -1 : history.lastAtOrBefore(snapshot.value());
      if (visible < 0) {
        // Nothing visible: the object does not exist, or a pack (whose copy started after a
        // commit newer than this snapshot) dropped the revisions up to it; a fresh snapshot tells.
        Tid now = last;
        if (now.equals(snapshot)) {
          throw new ObjectNotFoundException(oid);
        }
        snapshot = now;
        continue;
      }
      Revision revision = read(file, oid, history, visible);
      if (revision != null) {
        return revision;
      }
    }
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    checkOpen();
    Tid snapshot = last;
    while (true) {
      LogFile file = log;
      SortedPairs history = file.index().revisionsOf(oid);
      int size = history == null ? 0 : history.size();
      int visible = size == 0 ? -1 : history.lastAtOrBefore(snapshot.value(), size);
      if (visible < 0) {
        Tid now = last;
        if (now.equals(snapshot)) {
          throw new ObjectNotFoundException(oid);
        }
        snapshot = now;
        continue;
      }
      int before = history.lastAtOrBefore(Math.min(snapshot.value(), tid.value() - 1), visible + 1);
      if (before < 0) {
        return Optional.empty();
      }
      Revision revision = read(file, oid, history, before);
      if (revision != null) {
        return Optional.of(revision);
      }
    }
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    checkOpen();
    Tid snapshot = last;
    while (!serial.isAfter(snapshot)) {
      LogFile file = log;
      SortedPairs history = file.index().revisionsOf(oid);
      int at = history == null ? -1 : history.lastAtOrBefore(serial.value());
      if (at < 0 || history.key(at) != serial.value()) {
        break;
      }
      Revision revision = read(file, oid, history, at);
      if (revision != null) {
        return revision;
      }
    }
    throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
  }

  /** Reads revision {@code at} of {@code history}; null if the file was retired meanwhile. */
  private Revision read(LogFile file, Oid oid, SortedPairs history, int at) {
    long location = history.value(at);
    try {
      byte[] data = file.readRecord(oid.value(), location);
      if (data == null) {
        checkOpen();
        return null;
      }
      return new Revision(oid, Tid.of(history.key(at)), data);
    } catch (IOException e) {
      throw new UncheckedIOException("storage '" + name + "': cannot read " + oid + " at byte offset "
          + LogIndex.offsetOf(location) + " of " + file.path(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws ReadOnlyStorageException if read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    checkOpen();
    checkWritable("begin a transaction");
    return new FileTransaction(meta, Tid.NONE);
  }

  /**
   * {@inheritDoc}
   *
   * @throws ReadOnlyStorageException if read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    checkOpen();
    checkWritable("begin a transaction");
    Tid current = last;
    if (!tid.isAfter(current)) {
      throw new StaleTidException(tid, current);
    }
    return new FileTransaction(meta, tid);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The iterator reads the log lazily and holds a file handle until closed. It sees the
   * transactions committed before it was made, as they were then, even if the storage is packed
   * meanwhile.
   */
  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    checkOpen();
    Tid snapshot = last;
    while (true) {
      LogFile file = log;
      LogIndex.TidPositions positions = file.index().tidPositions();
      int from = positions.firstAfter(after.value());
      int to = positions.firstAfter(snapshot.value());
      if (from >= to) {
        return EmptyIterator.INSTANCE;
      }
      try {
        RandomAccessFile handle = file.borrow();
        if (handle != null) {
          return new LogTransactionIterator(file, handle, positions, from, to);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("storage '" + name + "': cannot read " + file.path(), e);
      }
      checkOpen();
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws ReadOnlyStorageException if read-only
   * @throws CommitOutcomeUnknownException if the record was written but its sync failed: it may or
   *     may not be in the log after a reopen (see "Failures" above)
   */
  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    limits.check(record, name);
    checkOpen();
    checkWritable("restore a transaction");
    List<Oid> oids = new ArrayList<>(record.records().size());
    List<byte[]> data = new ArrayList<>(record.records().size());
    for (DataRecord dataRecord : record.records()) {
      oids.add(dataRecord.oid());
      data.add(dataRecord.data());
    }
    LogFormat.EncodedUnit unit =
        LogFormat.encodeTransaction(record.tid(), LogFormat.encodeMeta(record.meta()), oids, data);
    acquireCommitLock(HOLDER_RESTORE);
    try {
      checkOpen();
      if (!record.tid().isAfter(last)) {
        throw new StaleTidException(record.tid(), last);
      }
      publish(record.tid(), unit);
    } finally {
      commitLock.release();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes the kept data to {@code loomraid.log.pack}, verifying every unit it copies, then
   * syncs it and renames it over the log, and syncs the directory; a crash at any point leaves
   * either the old or the new log, each complete. Readers and writers keep working while the bulk
   * is copied and synced; only the copy (and sync) of the transactions committed meanwhile and the
   * swap hold the commit lock, so a commit waits at most for that: a time bounded by what was
   * committed during the copy, not by the size of the log. Readers that started before the swap
   * finish on the old file. Revisions committed while the pack runs are kept even if they would
   * make older ones droppable. Nothing is rewritten if nothing can be dropped.
   *
   * @throws ReadOnlyStorageException if read-only
   * @throws CorruptLogException if the log turns out to be damaged (the log is left as it was)
   */
  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    checkOpen();
    checkWritable("pack");
    try {
      packLock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException("storage '" + name + "': interrupted waiting to pack", e);
    }
    try {
      packLocked(before);
    } catch (IOException e) {
      throw new UncheckedIOException("storage '" + name + "': pack failed", e);
    } finally {
      packLock.unlock();
    }
  }

  private void packLocked(Tid before) throws IOException {
    LogFile old;
    long prefixEnd;
    Tid prefixLast;
    appendLock.lock();
    try {
      checkOpen();
      checkWritable("pack");
      old = log;
      prefixEnd = old.end();
      prefixLast = last;
    } finally {
      appendLock.unlock();
    }
    long[] dropped = LogPacker.droppedRecords(old.index(), prefixLast, before);
    if (dropped.length == 0) {
      return;
    }
    try (LogPacker packer =
        LogPacker.start(old, directory.resolve(LogLoader.PACK_FILE), dropped, this::checkOpen)) {
      packer.copy(LogFormat.FILE_HEADER_LENGTH, prefixEnd);
      packObserver.reached(PackStep.PREFIX_COPIED);
      // The bulk is synced before the commit lock is taken, so the locked phase syncs only what
      // was committed during the copy: its length depends on that, not on the size of the log.
      packer.sync();
      packObserver.reached(PackStep.PREFIX_SYNCED);
      acquireCommitLock(HOLDER_PACK);
      try {
        appendLock.lock();
        try {
          checkOpen();
          checkWritable("pack");
          packer.copy(prefixEnd, old.end());
          LogFile fresh = packer.finish(reservedThrough);
          packObserver.reached(PackStep.TEMP_SYNCED);
          old.retireDuring(() -> {
            fresh.renameTo(logPath, DurableFiles::moveAtomically);
            log = fresh;
          });
          packer.swapped();
          old.closeAppender();
          DurableFiles.syncDirectory(directory);
          packObserver.reached(PackStep.RENAMED);
          LOG.debug("storage '{}': packed before {}, dropped {} revisions", name, before, dropped.length);
        } finally {
          appendLock.unlock();
        }
      } finally {
        commitLock.release();
      }
    }
  }

  @Override
  public StorageStats stats() {
    checkOpen();
    return log.index().stats();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Records up to {@link Builder#maxRecordSize}, transactions up to
   * {@value #MAX_TRANSACTION_SIZE} bytes of data, metadata up to {@value #MAX_META_SIZE} bytes.
   */
  @Override
  public StorageLimits limits() {
    return limits;
  }

  /**
   * Closes the storage: waits for a running write to finish, aborts transactions still open
   * (their commit fails with {@link StorageClosedException}), stops a running pack, syncs the log
   * if the fsync policy is {@link FsyncPolicy#NONE}, and releases the directory. Reads already
   * running finish. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    commitLock.release(WAKE_ALL_WAITERS);
    packLock.lock();
    try {
      appendLock.lock();
      try {
        LogFile file = log;
        if (!readOnly && fsyncPolicy == FsyncPolicy.NONE && syncFailure == null) {
          syncQuietly(file);
        }
        file.close();
      } finally {
        appendLock.unlock();
      }
    } finally {
      packLock.unlock();
      directoryLock.close();
    }
  }

  private void syncQuietly(LogFile file) {
    try {
      file.sync();
    } catch (IOException e) {
      LOG.error("storage '{}': syncing {} on close failed; the last commits may not survive an"
          + " operating system crash", name, file.path(), e);
    }
  }

  /** Returns about how many threads wait for the commit lock (for tests of who waits when). */
  int commitLockQueueLength() {
    return commitLock.getQueueLength();
  }

  @Override
  public String toString() {
    return "FileStorage[" + name + ", " + directory + (readOnly ? ", read-only" : "")
        + (closed ? ", closed" : "") + "]";
  }

  // ---- writing ----

  /**
   * Appends a transaction unit and makes it visible. Commit lock held.
   *
   * @throws CommitOutcomeUnknownException if the append failed in a way that may or may not leave
   *     the transaction in the log (see {@link #appendLocked})
   */
  private void publish(Tid tid, LogFormat.EncodedUnit unit) {
    appendLock.lock();
    try {
      checkOpen();
      long at = appendLocked(unit.bytes(), tid);
      log.index().addTransaction(at, unit.layout());
      oidCounter.accumulateAndGet(unit.layout().maxOid(), Math::max);
      stepObserver.indexed(tid);
      last = tid;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Writes {@code bytes} at the end of the log with one write call, then syncs per the policy.
   * Returns the offset it was written at. Append lock held.
   *
   * <p>A write that fails is cut back off the log: nothing was appended, and the failure is an
   * {@link UncheckedIOException}. A sync that fails (or a failed write that cannot be cut back)
   * leaves the unit's fate unknown, so the storage refuses writes until reopened; for a
   * transaction ({@code tid} real) that is a {@link CommitOutcomeUnknownException} carrying the
   * tid, for an OID reservation ({@code tid} NONE) an {@link UncheckedIOException}.
   */
  private long appendLocked(byte[] bytes, Tid tid) {
    checkWritable("write");
    LogFile file = log;
    long at = file.end();
    if (at + bytes.length > LogIndex.MAX_OFFSET) {
      throw new IllegalStateException("storage '" + name + "': log " + file.path()
          + " has reached the 16 TiB limit; pack it");
    }
    try {
      writeFaults.beforeWrite(file, bytes);
      file.write(bytes);
    } catch (IOException e) {
      throw writeFailed(file, at, e, tid);
    }
    if (fsyncPolicy == FsyncPolicy.EVERY_COMMIT) {
      try {
        writeFaults.beforeSync();
        file.sync();
      } catch (IOException e) {
        throw syncFailed(file, at, e, tid);
      }
    }
    file.advance(bytes.length);
    return at;
  }

  /** A write failed: cut the partial unit off; if that fails too, its fate is unknown. */
  private RuntimeException writeFailed(LogFile file, long at, IOException failure, Tid tid) {
    try {
      writeFaults.beforeTruncate();
      file.truncateToEnd();
    } catch (IOException truncation) {
      failure.addSuppressed(truncation);
      return syncFailed(file, at, failure, tid);
    }
    return new UncheckedIOException("storage '" + name + "': write to " + file.path()
        + " at byte offset " + at + " failed; nothing was committed", failure);
  }

  /** A sync failed: what reached the device is unknown, so refuse writes until reopened. */
  private RuntimeException syncFailed(LogFile file, long at, IOException failure, Tid tid) {
    if (!tid.isNone()) {
      inDoubt = tid;
    }
    syncFailure = failure;
    String what = tid.isNone() ? "an OID reservation" : "transaction " + tid;
    LOG.error("storage '{}': writing or syncing {} at byte offset {} of {} failed; what reached the"
        + " device is unknown, so the storage refuses writes until reopened", name, what, at,
        file.path(), failure);
    String message = "storage '" + name + "': writing or syncing " + what + " at byte offset " + at
        + " of " + file.path() + " failed; it may or may not survive a reopen, which tells; the"
        + " storage refuses writes until reopened";
    if (tid.isNone()) {
      return new UncheckedIOException(message, failure);
    }
    return new CommitOutcomeUnknownException(message, tid, failure);
  }

  private void checkWritable(String operation) {
    if (readOnly) {
      throw new ReadOnlyStorageException(name, operation);
    }
    IOException failure = syncFailure;
    if (failure != null) {
      Tid doubtful = inDoubt;
      throw new UncheckedIOException("storage '" + name + "': cannot " + operation + ": an earlier"
          + " write failed in a way that leaves the log's state on the device unknown"
          + (doubtful == null ? "" : " (transaction " + doubtful + " may or may not have committed)")
          + "; reopen the storage", failure);
    }
  }

  /**
   * Takes the commit lock for {@code holder} within the commit lock timeout; a wait that times out
   * names what held the lock (a pack's last phase, a restore or a transaction).
   */
  private void acquireCommitLock(String holder) {
    try {
      if (!commitLock.tryAcquire(commitLockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        String current = commitLockHolder;
        throw current.equals(HOLDER_TRANSACTION)
            ? new CommitLockTimeoutException(name, commitLockTimeout)
            : new CommitLockTimeoutException(name, commitLockTimeout, current);
      }
      commitLockHolder = holder;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(
          "storage '" + name + "': interrupted waiting for the commit lock", e);
    }
    if (closed) {
      commitLock.release();
      throw new StorageClosedException(name);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageClosedException(name);
    }
  }

  /** A transaction of this storage; holds the commit lock from vote to commit or abort. */
  private final class FileTransaction extends BufferedTransaction {
    private final byte[] encodedMeta;
    private final Map<Oid, Integer> sizes = new HashMap<>();
    private long unitLength;
    private LogFormat.EncodedUnit unit;
    private Tid tid = Tid.NONE;
    private boolean holdsLock;

    FileTransaction(TransactionMeta meta, Tid requestedTid) {
      super(meta, requestedTid, limits, name);
      this.encodedMeta = LogFormat.encodeMeta(meta);
      this.unitLength = LogFormat.transactionUnitLength(encodedMeta.length, 0, 0);
      if (unitLength < 0) {
        throw new IllegalArgumentException("transaction meta is too large: " + encodedMeta.length + " bytes");
      }
    }

    @Override
    protected void checkStore(Store store) {
      checkOpen();
      int length = store.data().length;
      Integer replaced = sizes.get(store.oid());
      long grown = unitLength + length + (replaced == null ? LogFormat.RECORD_HEADER_LENGTH : -replaced);
      if (grown > LogFormat.MAX_UNIT_LENGTH) {
        throw new IllegalArgumentException("transaction would exceed " + LogFormat.MAX_UNIT_LENGTH
            + " bytes, the most one transaction of storage '" + name + "' can hold");
      }
      // The same snapshot a read would use: last first, then the index. A commit that is being
      // published (indexed, last not yet moved) is invisible here as it is to load(), so a
      // conflict is reported only for a commit the caller's next read shows. Like load(), a
      // lookup that finds nothing while last has moved is asked again (see load).
      Tid snapshot = last;
      LogIndex index = log.index();
      while (index.serialAsOf(store.oid(), snapshot.value()) == 0 && !last.equals(snapshot)) {
        snapshot = last;
        index = log.index();
      }
      checkSerial(index, snapshot, store);
      sizes.put(store.oid(), length);
      unitLength = grown;
    }

    @Override
    protected void onVote(List<Store> stores) {
      checkOpen();
      checkWritable("vote");
      acquireCommitLock(HOLDER_TRANSACTION);
      holdsLock = true;
      Tid snapshot = last;
      LogIndex index = log.index();
      List<Oid> oids = new ArrayList<>(stores.size());
      List<byte[]> data = new ArrayList<>(stores.size());
      for (Store store : stores) {
        checkSerial(index, snapshot, store);
        oids.add(store.oid());
        data.add(store.data());
      }
      Tid requested = requestedTid();
      if (requested.isNone()) {
        tid = tids.next(last);
      } else if (!requested.isAfter(last)) {
        throw new StaleTidException(requested, last);
      } else {
        tid = requested;
      }
      unit = LogFormat.encodeTransaction(tid, encodedMeta, oids, data);
    }

    @Override
    protected Tid onCommit() {
      try {
        publish(tid, unit);
        return tid;
      } finally {
        releaseLock();
      }
    }

    @Override
    protected void onAbort(boolean voted) {
      releaseLock();
    }

    /**
     * Throws a conflict if the object's serial as of {@code snapshot} is not the one the store
     * expects. Under the commit lock, {@code snapshot} is every committed transaction.
     */
    private static void checkSerial(LogIndex index, Tid snapshot, Store store) {
      long current = index.serialAsOf(store.oid(), snapshot.value());
      if (current != store.expectedSerial().value()) {
        throw new ConflictException(store.oid(), store.expectedSerial(), Tid.of(current));
      }
    }

    private void releaseLock() {
      unit = null;
      if (holdsLock) {
        holdsLock = false;
        commitLock.release();
      }
    }
  }

  /** The iterator over no transactions. */
  private enum EmptyIterator implements TransactionIterator {
    INSTANCE;

    @Override
    public boolean hasNext() {
      return false;
    }

    @Override
    public TransactionRecord next() {
      throw new NoSuchElementException();
    }

    @Override
    public void close() {}
  }

}
