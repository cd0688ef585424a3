package org.loomraid.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A base for {@link StorageTransaction}s that buffer their stores until {@link #vote()}: it owns
 * the state machine, validates every argument, and keeps the stores in order; a storage supplies
 * what happens at vote, commit and abort.
 *
 * <p>Subclasses are called in one of these orders, each hook at most once:
 * {@code onVote} then {@code onCommit}; {@code onVote} then {@code onAbort(true)};
 * or {@code onAbort(false)} without a successful vote. If {@code onVote} throws, the base calls
 * {@code onAbort(false)}; if {@code onCommit} throws, {@code onAbort(true)}; in both cases it
 * suppresses anything {@code onAbort} throws and rethrows. A subclass whose {@code onVote} takes
 * the commit lock and then fails must therefore know by itself whether it holds the lock
 * ({@code onAbort(false)} may follow a vote that got the lock before it failed).
 *
 * <p>A {@link ConflictException} from {@link #checkStore} aborts the transaction (calling
 * {@code onAbort(false)}) just as one from {@code vote()} does, so that no part of a conflicting
 * transaction can be committed afterwards. Bad arguments and other exceptions from {@code store}
 * leave the transaction ACTIVE and unchanged.
 *
 * <p>Every argument is checked against the id ranges ({@link Tid#MAX}, {@link Oid#MAX}) and the
 * storage's {@link StorageLimits}: the metadata and the requested tid when the transaction is made,
 * each store's data and the running total of the transaction's data at {@code store}. A store over
 * a limit is refused with a {@link LimitExceededException} and leaves the transaction as it was.
 */
public abstract class BufferedTransaction implements StorageTransaction {

  /** One buffered store: the object, the serial its writer read, and the new data. */
  public record Store(Oid oid, Tid expectedSerial, byte[] data) {

    /** Creates a store, validating (but not copying) its arguments. */
    public Store {
      Objects.requireNonNull(oid, "oid");
      Objects.requireNonNull(expectedSerial, "expectedSerial");
      DataRecord.checkData(data);
    }

    /** Returns this store as the record a committed transaction holds. */
    public DataRecord toRecord() {
      return new DataRecord(oid, data);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Store other
          && oid.equals(other.oid)
          && expectedSerial.equals(other.expectedSerial)
          && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(oid, expectedSerial) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Store[" + oid + ", expected " + expectedSerial + ", " + data.length + " bytes]";
    }
  }

  private enum State { ACTIVE, VOTED, COMMITTED, ABORTED }

  private final TransactionMeta meta;
  private final Tid requestedTid;
  private final StorageLimits limits;
  private final String storageName;
  private final Map<Oid, Store> stores = new LinkedHashMap<>();
  private long bufferedBytes;
  private volatile State state = State.ACTIVE;

  /**
   * Creates an ACTIVE transaction.
   *
   * @param meta the transaction's metadata
   * @param requestedTid the caller-chosen tid, or {@link Tid#NONE} to let the storage choose
   */
  protected BufferedTransaction(TransactionMeta meta, Tid requestedTid) {
    this(meta, requestedTid, StorageLimits.DEFAULT, "storage");
  }

  /**
   * Creates an ACTIVE transaction of a storage with the given limits.
   *
   * @param meta the transaction's metadata
   * @param requestedTid the caller-chosen tid, or {@link Tid#NONE} to let the storage choose
   * @param limits the storage's limits, checked at every store
   * @param storageName the storage's name, for messages
   * @throws IllegalArgumentException if {@code requestedTid} is above {@link Tid#MAX}
   * @throws LimitExceededException if {@code meta} is over {@code limits}
   */
  protected BufferedTransaction(TransactionMeta meta, Tid requestedTid, StorageLimits limits,
      String storageName) {
    this.meta = Objects.requireNonNull(meta, "meta");
    this.requestedTid = Tid.checkInRange(Objects.requireNonNull(requestedTid, "tid"), "tid");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.storageName = Objects.requireNonNull(storageName, "storageName");
    limits.checkMeta(meta, storageName);
  }

  /** Returns the transaction's metadata. */
  protected final TransactionMeta meta() {
    return meta;
  }

  /** Returns the caller-chosen tid, or {@link Tid#NONE} if the storage chooses. */
  protected final Tid requestedTid() {
    return requestedTid;
  }

  /** Returns the buffered stores in the order their objects were first stored. */
  protected final List<Store> stores() {
    return new ArrayList<>(stores.values());
  }

  /**
   * Called by {@link #store} before buffering, for storages that detect conflicts early.
   * The default does nothing.
   *
   * @throws ConflictException if the store already conflicts
   */
  protected void checkStore(Store store) {}

  /**
   * Phase one: take the commit lock, check every store, fix the tid.
   *
   * @param stores the buffered stores, in order
   */
  protected abstract void onVote(List<Store> stores);

  /** Phase two: publish the transaction, release the commit lock, return the tid. */
  protected abstract Tid onCommit();

  /**
   * Abandon the transaction.
   *
   * @param voted whether {@link #onVote} succeeded (so the commit lock is held)
   */
  protected abstract void onAbort(boolean voted);

  @Override
  public final void store(Oid oid, Tid expectedSerial, byte[] data) {
    Store store = new Store(oid, expectedSerial, DataRecord.checkData(data).clone());
    Oid.checkInRange(oid, "oid");
    limits.checkRecord(oid, data.length, storageName);
    Store replaced = stores.get(oid);
    long total = bufferedBytes + data.length - (replaced == null ? 0 : replaced.data().length);
    limits.checkTransaction(total, storageName);
    requireState(State.ACTIVE, "store");
    try {
      checkStore(store);
    } catch (ConflictException e) {
      abortAfterFailure(false, e);
      throw e;
    }
    stores.put(oid, store);
    bufferedBytes = total;
  }

  @Override
  public final void vote() {
    requireState(State.ACTIVE, "vote");
    try {
      onVote(stores());
    } catch (RuntimeException | Error e) {
      abortAfterFailure(false, e);
      throw e;
    }
    state = State.VOTED;
  }

  @Override
  public final Tid commit() {
    requireState(State.VOTED, "commit");
    Tid tid;
    try {
      tid = onCommit();
    } catch (RuntimeException | Error e) {
      abortAfterFailure(true, e);
      throw e;
    }
    state = State.COMMITTED;
    return tid;
  }

  @Override
  public final void abort() {
    State current = state;
    switch (current) {
      case ABORTED -> { }
      case COMMITTED -> throw new IllegalStateException("cannot abort: transaction has committed");
      case ACTIVE, VOTED -> {
        state = State.ABORTED;
        onAbort(current == State.VOTED);
      }
    }
  }

  @Override
  public final void close() {
    State current = state;
    if (current == State.ACTIVE || current == State.VOTED) {
      abort();
    }
  }

  /** Returns whether the transaction has committed. */
  protected final boolean isCommitted() {
    return state == State.COMMITTED;
  }

  private void abortAfterFailure(boolean voted, Throwable failure) {
    state = State.ABORTED;
    try {
      onAbort(voted);
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  private void requireState(State required, String operation) {
    State current = state;
    if (current != required) {
      throw new IllegalStateException(
          "cannot " + operation + ": transaction is " + current + ", must be " + required);
    }
  }
}
