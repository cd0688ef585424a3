package org.loomraid.testing;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Wraps any storage and injects faults per operation: fail once, always, or after n calls; hang
 * (honouring interrupts, or ignoring them); stall and then carry on; delay; or return a wrong result.
 *
 * <pre>{@code
 * FaultyStorage b = FaultyStorage.wrap(MemoryStorage.create("b"));
 * b.on(Operation.VOTE).failOnce();                 // next vote throws InjectedFaultException
 * b.on(Operation.COMMIT).hangIgnoringInterrupts(); // commits block until releaseHangs()
 * ...
 * b.clearAll();
 * b.releaseHangs();                                // in @AfterEach: no thread is left hanging
 * }</pre>
 *
 * <p>{@link #corrupt(Tid, UnaryOperator)} makes it serve one committed transaction altered (silent
 * corruption, for scrub tests): its iterators return that transaction as the alteration makes it,
 * while the wrapped storage holds it unchanged.
 *
 * <p>A fault fires before the call reaches the wrapped storage, so a failed call changes nothing
 * there (a failed or released {@code vote}/{@code commit} aborts the wrapped transaction, as the
 * contract requires); a wrong result is the wrapped storage's result, altered. A hang lasts until
 * {@link #releaseHangs()} (then the call throws {@link InjectedFaultException}), or for
 * {@link Fault#hang()} until the thread is interrupted (then it throws
 * {@link StorageInterruptedException}). Every call is counted per operation. Thread-safe: faults can
 * be changed while other threads use the storage.
 */
public final class FaultyStorage implements Storage {

  /** The operations a fault can be attached to. */
  public enum Operation {
    /** {@link Storage#lastTransaction()}. */
    LAST_TRANSACTION(true),
    /** {@link Storage#newOid()}. */
    NEW_OID(true),
    /** {@link Storage#reserveOids(Oid)}. */
    RESERVE_OIDS(false),
    /** {@link Storage#load(Oid)}. */
    LOAD(true),
    /** {@link Storage#loadBefore(Oid, Tid)}. */
    LOAD_BEFORE(true),
    /** {@link Storage#loadSerial(Oid, Tid)}. */
    LOAD_SERIAL(true),
    /** Both {@code begin} methods. */
    BEGIN(false),
    /** {@link StorageTransaction#store}. */
    STORE(false),
    /** {@link StorageTransaction#vote()}. */
    VOTE(false),
    /** {@link StorageTransaction#commit()}. */
    COMMIT(true),
    /** {@link StorageTransaction#abort()}. */
    ABORT(false),
    /** {@link Storage#transactions(Tid)} (opening the iterator). */
    TRANSACTIONS(true),
    /** {@code hasNext()} and {@code next()} of an iterator from {@link Storage#transactions}. */
    ITERATE(false),
    /** {@link Storage#restore(TransactionRecord)}. */
    RESTORE(false),
    /** {@link Storage#pack(Tid)}. */
    PACK(false),
    /** {@link Storage#stats()}. */
    STATS(true),
    /** {@link Storage#close()}. */
    CLOSE(false);

    private final boolean hasResult;

    Operation(boolean hasResult) {
      this.hasResult = hasResult;
    }

    /** Returns whether the operation returns a result that {@link Fault#wrongResult()} can alter. */
    public boolean hasResult() {
      return hasResult;
    }
  }

  private enum Mode { FAIL, HANG, HANG_IGNORING_INTERRUPTS, STALL, DELAY, WRONG_RESULT }

  /** What a fault does: its mode, how many calls pass first, and how many times it fires. */
  private record Plan(Mode mode, long skip, long times, Supplier<? extends Throwable> error,
      Duration delay) {
    Plan next() {
      return skip > 0 ? new Plan(mode, skip - 1, times, error, delay)
          : new Plan(mode, 0, times > 0 ? times - 1 : times, error, delay);
    }
  }

  private final Storage delegate;
  private final Map<Operation, Fault> faults = new EnumMap<>(Operation.class);
  private final AtomicReference<CountDownLatch> gate =
      new AtomicReference<>(new CountDownLatch(1));
  private final AtomicInteger hanging = new AtomicInteger();
  private final Map<Tid, UnaryOperator<TransactionRecord>> corruptions = new ConcurrentHashMap<>();

  private FaultyStorage(Storage delegate) {
    this.delegate = delegate;
    for (Operation operation : Operation.values()) {
      faults.put(operation, new Fault(operation));
    }
  }

  /**
   * Wraps {@code delegate}, with no fault set.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  public static FaultyStorage wrap(Storage delegate) {
    return new FaultyStorage(Objects.requireNonNull(delegate, "delegate"));
  }

  /** Returns the fault of {@code operation}, to set or clear it. */
  public Fault on(Operation operation) {
    return faults.get(Objects.requireNonNull(operation, "operation"));
  }

  /**
   * Clears every fault and corruption. Calls hanging now keep hanging until
   * {@link #releaseHangs()}.
   */
  public void clearAll() {
    for (Fault fault : faults.values()) {
      fault.clear();
    }
    corruptions.clear();
  }

  /**
   * From now on, every iterator from {@link #transactions(Tid)} returns the committed transaction
   * {@code tid} as {@code alteration} makes it (altered data, a record added or taken away, other
   * metadata), while the wrapped storage still holds it unchanged: the silent corruption a scrub
   * must find. Replaces an earlier corruption of that tid; {@link #clearAll()} ends it. A wrong
   * result of {@link Operation#ITERATE} applies on top.
   *
   * <pre>{@code
   * b.corrupt(tid, record -> new TransactionRecord(record.tid(), record.meta(),
   *     List.of(new DataRecord(oid, "rotten".getBytes(UTF_8)))));
   * }</pre>
   *
   * @throws NullPointerException if an argument is null
   */
  public FaultyStorage corrupt(Tid tid, UnaryOperator<TransactionRecord> alteration) {
    corruptions.put(Objects.requireNonNull(tid, "tid"),
        Objects.requireNonNull(alteration, "alteration"));
    return this;
  }

  /**
   * Ends every hang in progress: each hanging call throws {@link InjectedFaultException}. A hang
   * fault still set makes later calls hang again; call {@link #clearAll()} first to stop that.
   */
  public void releaseHangs() {
    gate.getAndSet(new CountDownLatch(1)).countDown();
  }

  /** Returns how many calls are hanging right now. */
  public int hanging() {
    return hanging.get();
  }

  /** Returns how many calls of {@code operation} reached this wrapper (whether they failed or not). */
  public long calls(Operation operation) {
    return on(operation).calls.sum();
  }

  /** Returns the wrapped storage. */
  public Storage delegate() {
    return delegate;
  }

  /**
   * The fault of one operation. Setting a fault replaces the previous one of that operation.
   * Thread-safe.
   */
  public final class Fault {
    private final Operation operation;
    private final AtomicReference<Plan> plan = new AtomicReference<>();
    private final LongAdder calls = new LongAdder();

    private Fault(Operation operation) {
      this.operation = operation;
    }

    /** The next call fails with an {@link InjectedFaultException}; later ones succeed. */
    public FaultyStorage failOnce() {
      return failOnce(this::injected);
    }

    /** The next call throws what {@code error} supplies (a runtime exception or error). */
    public FaultyStorage failOnce(Supplier<? extends Throwable> error) {
      return set(Mode.FAIL, 0, 1, error, null);
    }

    /** Every call fails with an {@link InjectedFaultException}. */
    public FaultyStorage failAlways() {
      return failAlways(this::injected);
    }

    /** Every call throws what {@code error} supplies. */
    public FaultyStorage failAlways(Supplier<? extends Throwable> error) {
      return set(Mode.FAIL, 0, -1, error, null);
    }

    /**
     * The next {@code n} calls succeed, every later one fails with an
     * {@link InjectedFaultException}.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public FaultyStorage failAfter(long n) {
      return failAfter(n, this::injected);
    }

    /** The next {@code n} calls succeed, every later one throws what {@code error} supplies. */
    public FaultyStorage failAfter(long n, Supplier<? extends Throwable> error) {
      if (n < 0) {
        throw new IllegalArgumentException("n must be >= 0, was " + n);
      }
      return set(Mode.FAIL, n, -1, error, null);
    }

    /**
     * Every call hangs until its thread is interrupted (then it throws
     * {@link StorageInterruptedException} with the interrupt flag set) or
     * {@link #releaseHangs()} is called.
     */
    public FaultyStorage hang() {
      return set(Mode.HANG, 0, -1, null, null);
    }

    /**
     * Every call hangs, ignoring interrupts, until {@link #releaseHangs()} is called; then it
     * throws {@link InjectedFaultException} (with the interrupt flag set if it was interrupted).
     * Always release in the test's cleanup, or the thread stays blocked.
     */
    public FaultyStorage hangIgnoringInterrupts() {
      return set(Mode.HANG_IGNORING_INTERRUPTS, 0, -1, null, null);
    }

    /**
     * Every call stalls, ignoring interrupts, until {@link #releaseHangs()} is called, and then
     * carries on and does its work: a slow backend whose call completes after its caller gave up
     * on it (a commit that lands late, say). Counted by {@link #hanging()} while it waits.
     */
    public FaultyStorage stall() {
      return set(Mode.STALL, 0, -1, null, null);
    }

    /**
     * Every call waits {@code delay} first (throwing {@link StorageInterruptedException} if
     * interrupted meanwhile), then proceeds.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public FaultyStorage delay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative, was " + delay);
      }
      return set(Mode.DELAY, 0, -1, null, delay);
    }

    /**
     * Every call returns a wrong result: a tid one later, an oid 1000 higher, altered data or
     * metadata, an object count one higher.
     *
     * @throws IllegalStateException if the operation returns nothing to alter
     */
    public FaultyStorage wrongResult() {
      if (!operation.hasResult()) {
        throw new IllegalStateException(operation + " returns no result that could be wrong");
      }
      return set(Mode.WRONG_RESULT, 0, -1, null, null);
    }

    /** Removes the fault: calls go straight through again. */
    public FaultyStorage clear() {
      plan.set(null);
      return FaultyStorage.this;
    }

    private FaultyStorage set(Mode mode, long skip, long times,
        Supplier<? extends Throwable> error, Duration delay) {
      plan.set(new Plan(mode, skip, times, error, delay));
      return FaultyStorage.this;
    }

    private InjectedFaultException injected() {
      return new InjectedFaultException(
          "injected failure in " + operation + " of storage '" + delegate.name() + "'");
    }

    /** Counts a call and returns the plan it triggers, or null. */
    private Plan take() {
      calls.increment();
      while (true) {
        Plan current = plan.get();
        if (current == null || (current.skip() == 0 && current.times() == 0)) {
          return null;
        }
        if (plan.compareAndSet(current, current.next())) {
          return current.skip() > 0 ? null : current;
        }
      }
    }
  }

  /**
   * Applies the fault of {@code operation} to this call: throws, hangs or delays as set.
   *
   * @return whether the result must be altered
   */
  private boolean before(Operation operation) {
    Plan plan = faults.get(operation).take();
    if (plan == null) {
      return false;
    }
    switch (plan.mode()) {
      case FAIL -> throw unchecked(plan.error().get());
      case HANG -> hang(operation, true);
      case HANG_IGNORING_INTERRUPTS -> hang(operation, false);
      case STALL -> stallUntilReleased();
      case DELAY -> pause(operation, plan.delay());
      case WRONG_RESULT -> {
        return true;
      }
    }
    return false;
  }

  private void hang(Operation operation, boolean interruptible) {
    CountDownLatch released = gate.get();
    hanging.incrementAndGet();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          released.await();
          break;
        } catch (InterruptedException e) {
          if (interruptible) {
            Thread.currentThread().interrupt();
            throw new StorageInterruptedException(
                "interrupted while hanging in " + operation + " of storage '" + delegate.name()
                    + "'", e);
          }
          interrupted = true;
        }
      }
    } finally {
      hanging.decrementAndGet();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    throw new InjectedFaultException("released hang in " + operation + " of storage '"
        + delegate.name() + "'");
  }

  private void stallUntilReleased() {
    CountDownLatch released = gate.get();
    hanging.incrementAndGet();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          released.await();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      hanging.decrementAndGet();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void pause(Operation operation, Duration delay) {
    try {
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException("interrupted in the delay of " + operation
          + " of storage '" + delegate.name() + "'", e);
    }
  }

  private static RuntimeException unchecked(Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("injected checked exception", t);
  }

  private static byte[] altered(byte[] data) {
    if (data.length == 0) {
      return new byte[] {1};
    }
    byte[] copy = data.clone();
    copy[0] ^= 0x5a;
    return copy;
  }

  private static Revision altered(Revision revision) {
    return new Revision(revision.oid(), revision.serial(), altered(revision.data()));
  }

  // ---------------------------------------------------------------------------------------------

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Tid lastTransaction() {
    boolean wrong = before(Operation.LAST_TRANSACTION);
    Tid tid = delegate.lastTransaction();
    return wrong ? tid.next() : tid;
  }

  @Override
  public Oid newOid() {
    boolean wrong = before(Operation.NEW_OID);
    Oid oid = delegate.newOid();
    return wrong ? Oid.of(oid.value() + 1000) : oid;
  }

  @Override
  public void reserveOids(Oid through) {
    before(Operation.RESERVE_OIDS);
    delegate.reserveOids(through);
  }

  @Override
  public Revision load(Oid oid) {
    boolean wrong = before(Operation.LOAD);
    Revision revision = delegate.load(oid);
    return wrong ? altered(revision) : revision;
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    boolean wrong = before(Operation.LOAD_BEFORE);
    Optional<Revision> revision = delegate.loadBefore(oid, tid);
    return wrong ? revision.map(FaultyStorage::altered) : revision;
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    boolean wrong = before(Operation.LOAD_SERIAL);
    Revision revision = delegate.loadSerial(oid, serial);
    return wrong ? altered(revision) : revision;
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    before(Operation.BEGIN);
    return new FaultyTransaction(delegate.begin(meta));
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    before(Operation.BEGIN);
    return new FaultyTransaction(delegate.begin(meta, tid));
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    boolean wrong = before(Operation.TRANSACTIONS);
    return new FaultyIterator(delegate.transactions(after), wrong);
  }

  @Override
  public void restore(TransactionRecord record) {
    before(Operation.RESTORE);
    delegate.restore(record);
  }

  @Override
  public void pack(Tid before) {
    before(Operation.PACK);
    delegate.pack(before);
  }

  @Override
  public StorageLimits limits() {
    return delegate.limits();
  }

  @Override
  public StorageStats stats() {
    boolean wrong = before(Operation.STATS);
    StorageStats stats = delegate.stats();
    return wrong ? new StorageStats(stats.objects() + 1, stats.transactions(), stats.bytes())
        : stats;
  }

  @Override
  public void close() {
    before(Operation.CLOSE);
    delegate.close();
  }

  @Override
  public String toString() {
    return "FaultyStorage[" + delegate + "]";
  }

  /** A transaction whose store, vote, commit and abort pass through the faults. */
  private final class FaultyTransaction implements StorageTransaction {
    private final StorageTransaction tx;

    FaultyTransaction(StorageTransaction tx) {
      this.tx = tx;
    }

    @Override
    public void store(Oid oid, Tid expectedSerial, byte[] data) {
      before(Operation.STORE);
      tx.store(oid, expectedSerial, data);
    }

    @Override
    public void vote() {
      try {
        before(Operation.VOTE);
      } catch (RuntimeException | Error e) {
        abortQuietly(e);
        throw e;
      }
      tx.vote();
    }

    @Override
    public Tid commit() {
      boolean wrong;
      try {
        wrong = before(Operation.COMMIT);
      } catch (RuntimeException | Error e) {
        abortQuietly(e);
        throw e;
      }
      Tid tid = tx.commit();
      return wrong ? tid.next() : tid;
    }

    @Override
    public void abort() {
      before(Operation.ABORT);
      tx.abort();
    }

    @Override
    public void close() {
      tx.close();
    }

    private void abortQuietly(Throwable failure) {
      try {
        tx.close();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  /** An iterator whose steps pass through the {@link Operation#ITERATE} fault. */
  private final class FaultyIterator implements TransactionIterator {
    private final TransactionIterator iterator;
    private final boolean wrong;

    FaultyIterator(TransactionIterator iterator, boolean wrong) {
      this.iterator = iterator;
      this.wrong = wrong;
    }

    @Override
    public boolean hasNext() {
      before(Operation.ITERATE);
      return iterator.hasNext();
    }

    @Override
    public TransactionRecord next() {
      before(Operation.ITERATE);
      TransactionRecord record = iterator.next();
      UnaryOperator<TransactionRecord> corruption = corruptions.get(record.tid());
      if (corruption != null) {
        record = corruption.apply(record);
      }
      if (!wrong) {
        return record;
      }
      TransactionMeta meta = record.meta();
      return new TransactionRecord(record.tid(), new TransactionMeta(meta.user(),
          meta.description() + " (altered)", meta.extension()), record.records());
    }

    @Override
    public void close() {
      iterator.close();
    }
  }
}
