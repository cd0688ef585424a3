package org.loomraid.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe, multi-version storage held in memory: the embedded default and the reference
 * implementation of the {@link Storage} contract.
 *
 * <p><b>Reads</b> take no lock: every committed revision is published before the view (last tid
 * and size) that makes it visible, and a reader ignores revisions newer than the last tid it read
 * first, so it never sees part of a transaction. Conflict checks use the same rule, so a writer is
 * never told of a conflict with a commit that its own next read does not show. {@link #stats()} and
 * {@link #lastTransaction()} come from the same view, so they agree.
 *
 * <p><b>Costs stay flat as history grows.</b> An object with one revision is held as that
 * revision; from its second, as a {@code ChunkedHistory}: an append-only list in chunks that a
 * commit appends to without copying earlier revisions. A commit costs what it writes; {@code load}
 * is O(1), {@code loadBefore} and {@code loadSerial} O(log revisions), and {@code transactions}
 * finds its start in O(log transactions). Each revision's data is held once: a transaction keeps
 * only its metadata and object ids, and {@code transactions} reads the data from the revisions.
 * Measured with 64-byte objects, a revision costs 200 bytes of heap in all: its data array (80),
 * the {@link Revision} and its {@link Tid} (48), its slot in the history (12), and its transaction's
 * entry, object ids and slot in the list (60).
 *
 * <p><b>Locks.</b> Commits and restores are serialised by a commit lock (a fair {@link Semaphore},
 * because vote and commit may run on different threads) taken with a bounded wait. Packs are
 * serialised by a pack lock of their own and never take the commit lock: a pack drops revisions in
 * place, one object at a time, excluding only a commit that appends to that same object meanwhile,
 * for at most one chunk's worth of work. Nothing survives {@link #close()}.
 */
public final class MemoryStorage implements Storage {

  /** The default bound on the wait for the commit lock. */
  public static final Duration DEFAULT_COMMIT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final Duration commitLockTimeout;
  private final TidGenerator tids;
  private final StorageLimits limits;
  private final Observer observer;

  /** Guards commits and restores: one holder at a time, released by any thread. */
  private final Semaphore commitLock = new Semaphore(1, true);

  /** One pack at a time. Never held together with the commit lock. */
  private final ReentrantLock packLock = new ReentrantLock();

  /**
   * Per object, its history: the {@link Revision} itself while it has one, then a
   * {@link ChunkedHistory} of revisions keyed by serial. Keys are added and a single revision
   * replaced by a history only by the commit lock's holder; a history, once there, stays the same
   * object, appended to by commits and shortened by pack, both inside {@code compute} for its key.
   */
  private final ConcurrentHashMap<Oid, Object> histories = new ConcurrentHashMap<>();

  /** Every committed transaction in tid order; appended under the commit lock. */
  private final ChunkedHistory<Committed> transactions = new ChunkedHistory<>(16);

  private final AtomicLong oidCounter = new AtomicLong();

  /**
   * What readers see: the last committed tid and the size as of it. Replaced by a commit (under the
   * commit lock, after the transaction's revisions are in place, so it publishes them) and by a
   * pack (which only lowers the bytes), each with a compare-and-set so neither loses the other's.
   */
  private final AtomicReference<View> view = new AtomicReference<>(View.EMPTY);

  private volatile boolean closed;

  private MemoryStorage(Builder builder) {
    this.name = builder.name;
    this.commitLockTimeout = builder.commitLockTimeout;
    this.tids = builder.tids;
    this.limits = builder.limits;
    this.observer = builder.observer;
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
    private Observer observer = Observer.NONE;

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

    /** Observes the steps of commits and packs (tests hold them at a step with it). */
    Builder observer(Observer observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
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
    return view.get().last();
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
    long snapshot = view.get().last().value();
    observer.snapshotTaken(oid);
    while (true) {
      Revision revision = latestAsOf(oid, snapshot);
      if (revision != null) {
        return revision;
      }
      long now = view.get().last().value();
      if (now == snapshot) {
        throw new ObjectNotFoundException(oid);
      }
      snapshot = now;
    }
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    checkOpen();
    long snapshot = view.get().last().value();
    Revision visible;
    while ((visible = latestAsOf(oid, snapshot)) == null) {
      long now = view.get().last().value();
      if (now == snapshot) {
        throw new ObjectNotFoundException(oid);
      }
      snapshot = now;
    }
    if (visible.serial().isBefore(tid)) {
      return Optional.of(visible);
    }
    return Optional.ofNullable(latestAsOf(oid, Math.min(snapshot, tid.value() - 1)));
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    checkOpen();
    if (!serial.isAfter(view.get().last())) {
      Revision revision = withSerial(oid, serial.value());
      if (revision != null) {
        return revision;
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
    Tid current = view.get().last();
    if (!tid.isAfter(current)) {
      throw new StaleTidException(tid, current);
    }
    return new MemoryTransaction(meta, tid);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The iterator sees the transactions committed before it was made. Each record's data is read
   * from the objects' histories as the iterator reaches it, so a pack running meanwhile may already
   * have dropped some of its records.
   */
  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    checkOpen();
    long snapshot = view.get().last().value();
    int size = transactions.size();
    int from = transactions.indexAtOrBefore(after.value(), 0, size) + 1;
    int to = transactions.indexAtOrBefore(snapshot, 0, size) + 1;
    return new TransactionIterator() {
      private int next = from;
      private boolean open = true;

      @Override
      public boolean hasNext() {
        return open && next < to;
      }

      @Override
      public TransactionRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return recordOf(transactions.elementAt(next++));
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
    List<Revision> revisions = new ArrayList<>(record.records().size());
    for (DataRecord data : record.records()) {
      revisions.add(new Revision(data.oid(), record.tid(), data.data()));
    }
    acquireCommitLock();
    try {
      checkOpen();
      Tid last = view.get().last();
      if (!record.tid().isAfter(last)) {
        throw new StaleTidException(record.tid(), last);
      }
      publish(record.tid(), record.meta(), revisions);
    } finally {
      commitLock.release();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never takes the commit lock, so commits go on while it runs. It walks the objects once and
   * drops, in each history, the revisions older than the newest one before {@code before} among
   * those committed when the pack started (revisions committed meanwhile are all kept); each drop
   * runs inside {@code compute} for that object and costs at most one chunk's worth of work, so a
   * commit to the same object waits no longer than that. Readers may see some histories already
   * shortened and others not yet: both only lose revisions older than {@code before}, which no
   * reader at or after {@code before} needs. One pack at a time; a second waits for the first.
   *
   * @throws StorageInterruptedException if interrupted while waiting for another pack
   */
  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    checkOpen();
    try {
      packLock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException("storage '" + name + "': interrupted waiting to pack", e);
    }
    try {
      checkOpen();
      packLocked(before.value());
    } finally {
      packLock.unlock();
    }
  }

  private void packLocked(long before) {
    long asOf = view.get().last().value();
    long droppedBytes = 0;
    try {
      for (Map.Entry<Oid, Object> entry : histories.entrySet()) {
        if (entry.getValue() instanceof ChunkedHistory<?> history) {
          checkOpen();
          observer.packing(entry.getKey());
          droppedBytes += dropOlder(entry.getKey(), revisions(history), asOf, before);
        }
      }
    } finally {
      long dropped = droppedBytes;
      if (dropped > 0) {
        view.updateAndGet(current -> current.withBytes(current.stats().bytes() - dropped));
      }
    }
  }

  /**
   * Drops the revisions of one object that a pack before {@code before} as of {@code asOf} no
   * longer needs; returns their bytes. Pack lock held: only this thread drops, so the indexes it
   * reads stay valid while a commit appends.
   */
  private long dropOlder(Oid oid, ChunkedHistory<Revision> history, long asOf, long before) {
    int size = history.size();
    int from = history.start();
    int visible = history.indexAtOrBefore(asOf, from, size);
    int newestBefore = history.indexAtOrBefore(before - 1, from, size);
    int keepFrom = Math.min(visible, newestBefore);
    if (keepFrom <= from) {
      return 0;
    }
    long bytes = 0;
    for (int i = from; i < keepFrom; i++) {
      bytes += history.elementAt(i).length();
    }
    histories.computeIfPresent(oid, (key, current) -> {
      revisions(current).dropBefore(keepFrom);
      return current;
    });
    return bytes;
  }

  @Override
  public StorageStats stats() {
    checkOpen();
    return view.get().stats();
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

  /**
   * Returns {@code true}: a transaction does no I/O; its vote waits only for the commit lock while
   * another transaction of this storage holds it, and takes a free lock without looking at the
   * thread's interrupt status.
   */
  @Override
  public boolean transactionsNeverBlock() {
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

  /** Observes steps of commits and packs; tests use it to hold a step while others run. */
  interface Observer {
    /** Observes nothing. */
    Observer NONE = new Observer() { };

    /**
     * Called by a commit or restore under the commit lock, after its revisions are in the
     * histories and before the view that makes them visible is published.
     */
    default void beforePublish(Tid tid) { }

    /** Called by a pack before it looks at the history of {@code oid}. */
    default void packing(Oid oid) { }

    /** Called by {@code load} after it took its snapshot and before it looks at {@code oid}. */
    default void snapshotTaken(Oid oid) { }
  }

  /** A committed transaction as the list of transactions keeps it; its data is in the histories. */
  private record Committed(Tid tid, TransactionMeta meta, Oid[] oids) {}

  /** The last committed tid and the storage's size as of that transaction. */
  private record View(Tid last, StorageStats stats) {
    static final View EMPTY = new View(Tid.NONE, new StorageStats(0, 0, 0));

    View withBytes(long bytes) {
      return new View(last, new StorageStats(stats.objects(), stats.transactions(), bytes));
    }
  }

  @SuppressWarnings("unchecked")
  private static ChunkedHistory<Revision> revisions(Object history) {
    return (ChunkedHistory<Revision>) history;
  }

  /**
   * Returns the object's newest revision with a serial {@code <= asOf}, or null. Null can also mean
   * that a pack dropped every revision up to {@code asOf} because a newer one, committed after the
   * caller took its snapshot, made them unneeded (a pack only drops a prefix, so it never makes an
   * older revision look current): callers that want the current revision retry with a fresh
   * snapshot when the last tid has moved.
   */
  private Revision latestAsOf(Oid oid, long asOf) {
    Object history = histories.get(oid);
    if (history instanceof Revision only) {
      return only.serial().value() <= asOf ? only : null;
    }
    return history == null ? null : revisions(history).latestAtOrBefore(asOf);
  }

  /** Returns the object's revision with exactly that serial, or null. */
  private Revision withSerial(Oid oid, long serial) {
    Object history = histories.get(oid);
    if (history instanceof Revision only) {
      return only.serial().value() == serial ? only : null;
    }
    return history == null ? null : revisions(history).exactly(serial);
  }

  /** Rebuilds a transaction's record from the revisions it wrote that are still there. */
  private TransactionRecord recordOf(Committed committed) {
    List<DataRecord> records = new ArrayList<>(committed.oids().length);
    for (Oid oid : committed.oids()) {
      Revision revision = withSerial(oid, committed.tid().value());
      if (revision != null) {
        records.add(new DataRecord(oid, revision.data()));
      }
    }
    return new TransactionRecord(committed.tid(), committed.meta(), records);
  }

  /**
   * Adds a transaction's revisions to the histories, then the transaction to the list, then
   * replaces {@link #view}, which makes them visible. Commit lock held.
   */
  private void publish(Tid tid, TransactionMeta meta, List<Revision> revisions) {
    long maxOid = 0;
    long newObjects = 0;
    long bytes = 0;
    Oid[] oids = new Oid[revisions.size()];
    for (int i = 0; i < oids.length; i++) {
      Revision revision = revisions.get(i);
      oids[i] = revision.oid();
      if (append(revision)) {
        newObjects++;
      }
      maxOid = Math.max(maxOid, revision.oid().value());
      bytes += revision.length();
    }
    transactions.append(tid.value(), new Committed(tid, meta, oids));
    oidCounter.accumulateAndGet(maxOid, Math::max);
    observer.beforePublish(tid);
    long addedObjects = newObjects;
    long addedBytes = bytes;
    view.updateAndGet(current -> new View(tid, new StorageStats(
        current.stats().objects() + addedObjects,
        current.stats().transactions() + 1,
        current.stats().bytes() + addedBytes)));
  }

  /** Appends a revision to its object's history; returns whether the object is new. */
  private boolean append(Revision revision) {
    if (histories.putIfAbsent(revision.oid(), revision) == null) {
      return true;
    }
    histories.compute(revision.oid(), (oid, history) -> {
      if (history instanceof Revision only) {
        ChunkedHistory<Revision> grown = new ChunkedHistory<>(2);
        grown.append(only.serial().value(), only);
        grown.append(revision.serial().value(), revision);
        return grown;
      }
      revisions(history).append(revision.serial().value(), revision);
      return history;
    });
    return false;
  }

  private void acquireCommitLock() {
    // A free lock nobody queues for is taken at once, whatever the thread's interrupt status, as
    // transactionsNeverBlock() promises; otherwise the wait is fair, bounded and interruptible.
    if (!commitLock.hasQueuedThreads() && commitLock.tryAcquire()) {
      return;
    }
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
      checkSerial(store, view.get().last());
    }

    @Override
    protected void onVote(List<Store> stores) {
      checkOpen();
      acquireCommitLock();
      holdsLock = true;
      checkOpen();
      Tid last = view.get().last();
      for (Store store : stores) {
        checkSerial(store, last);
      }
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
        List<Revision> revisions = new ArrayList<>(voted.size());
        for (Store store : voted) {
          revisions.add(new Revision(store.oid(), tid, store.data()));
        }
        publish(tid, meta(), revisions);
        return tid;
      } finally {
        releaseLock();
      }
    }

    @Override
    protected void onAbort(boolean hasVoted) {
      releaseLock();
    }

    /**
     * Throws a conflict if the object's serial as of {@code snapshot} is not the one the store
     * expects. The snapshot is what a read would use (the last published tid), so a conflict is
     * only ever reported for a commit that the caller's next read shows; under the commit lock it
     * is every committed transaction.
     */
    private void checkSerial(Store store, Tid snapshot) {
      long asOf = snapshot.value();
      Revision current;
      while ((current = latestAsOf(store.oid(), asOf)) == null && view.get().last().value() != asOf) {
        asOf = view.get().last().value();
      }
      Tid serial = current == null ? Tid.NONE : current.serial();
      if (!serial.equals(store.expectedSerial())) {
        throw new ConflictException(store.oid(), store.expectedSerial(), serial);
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
