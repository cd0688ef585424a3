package org.loomraid.storage;

/**
 * One transaction, from {@link Storage#begin(TransactionMeta)} to commit or abort: a state machine.
 *
 * <pre>
 *   ACTIVE --store()--&gt; ACTIVE --vote()--&gt; VOTED --commit()--&gt; COMMITTED
 *      \                    \                 \
 *       `---abort()/close()--`-----------------`--&gt; ABORTED
 * </pre>
 *
 * <p>A call in the wrong state throws {@link IllegalStateException} and changes nothing.
 * {@code abort()} of an aborted transaction and {@code close()} of a finished one do nothing.
 * A transaction is used by one thread at a time, but successive calls may come from different
 * threads. If {@code vote()} or {@code commit()} throws, the transaction is aborted; so it is when
 * {@code store()} answers with a {@link ConflictException}, so that no part of a conflicting
 * transaction can be committed. Any other exception from {@code store()} (a bad argument) leaves
 * the transaction as it was.
 */
public interface StorageTransaction extends AutoCloseable {

  /**
   * Stores the new state of an object. {@code expectedSerial} is the serial of the revision the
   * writer read, {@link Tid#NONE} for a new object. Storing the same object twice keeps the later
   * data. A conflict is raised here or at {@link #vote()} at the latest; either way the transaction
   * is then aborted.
   *
   * @throws ConflictException if {@code expectedSerial} is not the object's current serial
   * @throws IllegalArgumentException if {@code oid} is above {@link Oid#MAX}; a
   *     {@link LimitExceededException} if the data, or the transaction's data in all, is larger than
   *     the storage's {@linkplain Storage#limits() limits}. The transaction stays as it was.
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the transaction is not ACTIVE
   */
  void store(Oid oid, Tid expectedSerial, byte[] data);

  /**
   * Phase one: takes the storage's commit lock, checks every store for conflicts and chooses the
   * tid. Once it returns, {@link #commit()} can only fail through a storage failure.
   *
   * @throws ConflictException if a stored object changed since it was read
   * @throws StaleTidException if the tid given to {@code begin} is no longer above the last one
   * @throws CommitLockTimeoutException if the commit lock could not be had in time
   * @throws IdSpaceExhaustedException if the storage chooses the tid and none is left
   * @throws IllegalStateException if the transaction is not ACTIVE
   */
  void vote();

  /**
   * Phase two: makes the transaction durable and visible, and releases the commit lock.
   *
   * @return the transaction's tid
   * @throws CommitOutcomeUnknownException if the storage cannot tell whether the transaction
   *     committed; any other exception means it did not
   * @throws IllegalStateException if the transaction is not VOTED
   */
  Tid commit();

  /**
   * Abandons the transaction: nothing of it becomes visible and the commit lock, if held, is
   * released. Does nothing if already aborted.
   *
   * @throws IllegalStateException if the transaction has committed
   */
  void abort();

  /** Aborts the transaction unless it has committed or aborted; never throws for state. */
  @Override
  void close();
}
