package org.loomraid.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe, multi-version storage held in memory: the embedded default and the reference
 * implementation of the {@link Storage} contract.
 *
 * <p>History is kept until {@link #pack(Tid)}. Reads take no lock: every committed revision is
 * published before the volatile view (last tid and size) that makes it visible, and a reader
 * ignores revisions newer than the last tid it read first, so it never sees part of a transaction;
 * {@link #stats()} and {@link #lastTransaction()} come from the same view, so they agree. Commits,
 * restores and packs are serialised by a commit lock (a fair {@link Semaphore}, because vote and
 * commit may run on different threads) taken with a bounded wait. Nothing survives
 * {@link #close()}.
 */
public final class MemoryStorage implements Storage {

  /** The default bound on the wait for the commit lock. */
  public static final Duration DEFAULT_COMMIT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** The history of an object that has none (empty, so safe to share). */
  private static final Revision[] NO_REVISIONS = new Revision[0];

  private final String name;
  private final Duration commitLockTimeout;
  private final TidGenerator tids;
  private final StorageLimits limits;

  /** Guards commits, restores and packs: one holder at a time, released by any thread. */
  private final Semaphore commitLock = new Semaphore(1, true);

  /** Per object, its revisions in serial order; replaced (never mutated) under the commit lock. */
  private final Map<Oid, Revision[]> histories = new ConcurrentHashMap<>();

  private final ConcurrentSkipListMap<Tid, TransactionRecord> transactions =
      new ConcurrentSkipListMap<>();
  private final AtomicLong oidCounter = new AtomicLong();

  /**
   * What readers see: the last committed tid and the size as of it. Replaced whole, under the
   * commit lock, after the transaction's revisions and record are in place, so it publishes them.
   */
  private volatile View view = View.EMPTY;

  private volatile boolean closed;

  private MemoryStorage(Builder builder) {
    this.name = builder.name;
    this.commitLockTimeout = builder.commitLockTimeout;
    this.tids = builder.tids;
    this.limits = builder.limits;
  }

  /** Returns a new, empty storage with default settings. */
  public static MemoryStorage create(String name) {
    return builder(name).build();
  }

  /** Returns a builder for a storage called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Settings for a {@link MemoryStorage}. */
  public static final class Builder {
    private final String name;
    private Duration commitLockTimeout = DEFAULT_COMMIT_LOCK_TIMEOUT;
    private TidGenerator tids = TidGenerator.system();
    private StorageLimits limits = StorageLimits.DEFAULT;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
    }

    /** How long {@code vote()} and {@code restore()} wait for the commit lock; must be positive. */
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

    /** The limits the storage enforces; {@link StorageLimits#DEFAULT} unless set. */
    public Builder limits(StorageLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Creates the storage. */
    public MemoryStorage build() {
      return new MemoryStorage(this);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Tid lastTransaction() {
    checkOpen();
    return view.last();
  }

  @Override
  public Oid newOid() {
    checkOpen();
    while (true) {
      long counter = oidCounter.get();
      Oid next = Oid.after(counter, name);
      if (oidCounter.compareAndSet(counter, next.value())) {
        return next;
      }
    }
  }

  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "through");
    checkOpen();
    oidCounter.accumulateAndGet(through.value(), Math::max);
  }

  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    checkOpen();
    Tid snapshot = view.last();
    Revision[] history = historyOf(oid);
    for (int i = history.length - 1; i >= 0; i--) {
      if (!history[i].serial().isAfter(snapshot)) {
        return history[i];
      }
    }
    throw new ObjectNotFoundException(oid);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    checkOpen();
    Tid snapshot = view.last();
    Revision[] history = historyOf(oid);
    boolean visible = false;
    for (int i = history.length - 1; i >= 0; i--) {
      Tid serial = history[i].serial();
      if (serial.isAfter(snapshot)) {
        continue;
      }
      visible = true;
      if (serial.isBefore(tid)) {
        return Optional.of(history[i]);
      }
    }
    if (!visible) {
      throw new ObjectNotFoundException(oid);
    }
    return Optional.empty();
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    checkOpen();
    if (!serial.isAfter(view.last())) {
      for (Revision revision : historyOf(oid)) {
        if (revision.serial().equals(serial)) {
          return revision;
        }
      }
    }
    throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    checkOpen();
    return new MemoryTransaction(meta, Tid.NONE);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    checkOpen();
    Tid current = view.last();
    if (!tid.isAfter(current)) {
      throw new StaleTidException(tid, current);
    }
    return new MemoryTransaction(meta, tid);
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    checkOpen();
    Tid snapshot = view.last();
    Iterator<TransactionRecord> source =
        snapshot.isAfter(after)
            ? transactions.subMap(after, false, snapshot, true).values().iterator()
            : Collections.emptyIterator();
    return new TransactionIterator() {
      private boolean open = true;

      @Override
      public boolean hasNext() {
        return open && source.hasNext();
      }

      @Override
      public TransactionRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return source.next();
      }

      @Override
      public void close() {
        open = false;
      }
    };
  }

  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    limits.check(record, name);
    checkOpen();
    acquireCommitLock();
    try {
      checkOpen();
      Tid last = view.last();
      if (!record.tid().isAfter(last)) {
        throw new StaleTidException(record.tid(), last);
      }
      publish(record);
    } finally {
      commitLock.release();
    }
  }

  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    checkOpen();
    acquireCommitLock();
    try {
      checkOpen();
      packUnderLock(before);
    } finally {
      commitLock.release();
    }
  }

  /**
   * Works out every change first and applies it afterwards, so that nothing is half-packed if the
   * first part fails. Readers may see a history already shortened while its transaction record is
   * not yet: both only lose revisions older than {@code before}, which no reader at or after
   * {@code before} needs.
   */
  private void packUnderLock(Tid before) {
    Map<Oid, Revision[]> shortened = new HashMap<>();
    Set<Written> dropped = new HashSet<>();
    long droppedBytes = 0;
    for (Map.Entry<Oid, Revision[]> entry : histories.entrySet()) {
      Revision[] history = entry.getValue();
      int keepFrom = 0;
      for (int i = 0; i < history.length && history[i].serial().isBefore(before); i++) {
        keepFrom = i;
      }
      for (int i = 0; i < keepFrom; i++) {
        dropped.add(new Written(history[i].oid(), history[i].serial()));
        droppedBytes += history[i].length();
      }
      if (keepFrom > 0) {
        shortened.put(entry.getKey(), Arrays.copyOfRange(history, keepFrom, history.length));
      }
    }
    if (dropped.isEmpty()) {
      return;
    }
    Map<Tid, TransactionRecord> trimmed = new HashMap<>();
    for (TransactionRecord record : transactions.headMap(before).values()) {
      List<DataRecord> kept = new ArrayList<>(record.records().size());
      for (DataRecord data : record.records()) {
        if (!dropped.contains(new Written(data.oid(), record.tid()))) {
          kept.add(data);
        }
      }
      if (kept.size() != record.records().size()) {
        trimmed.put(record.tid(), new TransactionRecord(record.tid(), record.meta(), kept));
      }
    }
    histories.putAll(shortened);
    transactions.putAll(trimmed);
    View current = view;
    view = current.withBytes(current.stats().bytes() - droppedBytes);
  }

  @Override
  public StorageStats stats() {
    checkOpen();
    return view.stats();
  }

  @Override
  public StorageLimits limits() {
    return limits;
  }

  /** Returns {@code true}: reads take no lock and do no I/O. */
  @Override
  public boolean readsNeverBlock() {
    return true;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "MemoryStorage[" + name + (closed ? ", closed" : "") + "]";
  }

  /**
   * Returns how many permits the commit lock has: 1 when it is free, 0 while a transaction holds
   * it. For tests: any other value means the lock was released twice.
   */
  int commitLockPermits() {
    return commitLock.availablePermits();
  }

  /** Names one revision: the object and the transaction that wrote it. */
  private record Written(Oid oid, Tid serial) {}

  /** The last committed tid and the storage's size as of that transaction. */
  private record View(Tid last, StorageStats stats) {
    static final View EMPTY = new View(Tid.NONE, new StorageStats(0, 0, 0));

    View withBytes(long bytes) {
      return new View(last, new StorageStats(stats.objects(), stats.transactions(), bytes));
    }
  }

  private Revision[] historyOf(Oid oid) {
    Revision[] history = histories.get(oid);
    return history == null ? NO_REVISIONS : history;
  }

  private Tid currentSerial(Oid oid) {
    Revision[] history = histories.get(oid);
    return history == null ? Tid.NONE : history[history.length - 1].serial();
  }

  /**
   * Adds a transaction's revisions, then its record, then replaces {@link #view}, which makes them
   * visible; under the commit lock.
   */
  private void publish(TransactionRecord record) {
    long maxOid = 0;
    long newObjects = 0;
    for (DataRecord data : record.records()) {
      Revision revision = new Revision(data.oid(), record.tid(), data.data());
      if (histories.merge(data.oid(), new Revision[] {revision}, MemoryStorage::append).length == 1) {
        newObjects++;
      }
      maxOid = Math.max(maxOid, data.oid().value());
    }
    transactions.put(record.tid(), record);
    oidCounter.accumulateAndGet(maxOid, Math::max);
    StorageStats stats = view.stats();
    view = new View(record.tid(), new StorageStats(
        stats.objects() + newObjects,
        stats.transactions() + 1,
        stats.bytes() + record.dataLength()));
  }

  private static Revision[] append(Revision[] history, Revision[] added) {
    Revision[] grown = Arrays.copyOf(history, history.length + 1);
    grown[history.length] = added[0];
    return grown;
  }

  private void acquireCommitLock() {
    try {
      if (!commitLock.tryAcquire(commitLockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new CommitLockTimeoutException(name, commitLockTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(
          "storage '" + name + "': interrupted waiting for the commit lock", e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageClosedException(name);
    }
  }

  /** A transaction of this storage; holds the commit lock from vote to commit or abort. */
  private final class MemoryTransaction extends BufferedTransaction {
    private List<Store> voted = List.of();
    private Tid tid = Tid.NONE;
    private boolean holdsLock;

    MemoryTransaction(TransactionMeta meta, Tid requestedTid) {
      super(meta, requestedTid, limits, name);
    }

    @Override
    protected void checkStore(Store store) {
      checkOpen();
      checkSerial(store);
    }

    @Override
    protected void onVote(List<Store> stores) {
      checkOpen();
      acquireCommitLock();
      holdsLock = true;
      checkOpen();
      for (Store store : stores) {
        checkSerial(store);
      }
      Tid last = view.last();
      Tid requested = requestedTid();
      if (requested.isNone()) {
        tid = tids.next(last);
      } else if (!requested.isAfter(last)) {
        throw new StaleTidException(requested, last);
      } else {
        tid = requested;
      }
      voted = stores;
    }

    @Override
    protected Tid onCommit() {
      try {
        checkOpen();
        List<DataRecord> records = new ArrayList<>(voted.size());
        for (Store store : voted) {
          records.add(store.toRecord());
        }
        publish(new TransactionRecord(tid, meta(), records));
        return tid;
      } finally {
        releaseLock();
      }
    }

    @Override
    protected void onAbort(boolean hasVoted) {
      releaseLock();
    }

    /** Throws a conflict if the object's current serial is not the one the store expects. */
    private void checkSerial(Store store) {
      Tid current = currentSerial(store.oid());
      if (!current.equals(store.expectedSerial())) {
        throw new ConflictException(store.oid(), store.expectedSerial(), current);
      }
    }

    /** Releases the commit lock if this transaction holds it; safe to call twice. */
    private void releaseLock() {
      voted = List.of();
      if (holdsLock) {
        holdsLock = false;
        commitLock.release();
      }
    }
  }
}
