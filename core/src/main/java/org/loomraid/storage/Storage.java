package org.loomraid.storage;

import java.util.Optional;

/**
 * A transactional, multi-version object storage.
 *
 * <p>Every storage implements this one interface: {@link MemoryStorage}, the file and remote
 * storages, and the RAID itself, so a RAID can be the backend of another RAID or be served over
 * the network.
 *
 * <h2>Objects, revisions and transactions</h2>
 * An object ({@link Oid}) has a history of revisions; each {@link Revision} was written by one
 * committed transaction, whose tid is the revision's serial. Transactions commit in strictly
 * increasing tid order. A writer reads an object, then stores its new state passing the serial it
 * read as {@code expectedSerial}; if another transaction wrote the object in between, the storage
 * answers with a {@link ConflictException} and nothing of the transaction is committed.
 *
 * <h2>Threading</h2>
 * All methods are thread-safe. Reads run concurrently with each other and with commits, and never
 * see part of a transaction: a transaction's revisions become visible all at once when
 * {@link StorageTransaction#commit()} returns. Commits are serialised: between
 * {@link StorageTransaction#vote()} and {@code commit()}/{@code abort()} a transaction holds the
 * storage's commit lock, and a second transaction's {@code vote()} waits for it (for a bounded
 * time, then fails with {@link CommitLockTimeoutException}). A transaction may be driven from
 * different threads, one call at a time (the RAID votes and commits on different threads).
 *
 * <h2>Answers and failures</h2>
 * A {@link StorageException} is an <em>answer</em>: the storage is healthy and said "no" (conflict,
 * not found, stale tid). Anything else a storage throws is a <em>failure</em>: I/O errors, a closed
 * storage ({@link StorageClosedException}), an interrupted wait ({@link StorageInterruptedException}),
 * or any other runtime exception. Bad arguments raise {@link IllegalArgumentException} or
 * {@link NullPointerException} and change nothing; calls in the wrong state raise
 * {@link IllegalStateException}. A commit whose outcome the storage cannot tell raises
 * {@link CommitOutcomeUnknownException}, which is neither an answer nor "not committed".
 *
 * <h2>Limits and id ranges</h2>
 * Every storage declares its {@link #limits()} (record, transaction and metadata size) and refuses
 * anything beyond them with a {@link LimitExceededException} before writing anything. Tids above
 * {@link Tid#MAX} and object ids above {@link Oid#MAX} are refused with an
 * {@link IllegalArgumentException} wherever a caller passes them in ({@code begin}, {@code store},
 * {@code restore}, {@code reserveOids}), so no caller can push a storage past the end of an id
 * space; a storage that reached the end of one answers with {@link IdSpaceExhaustedException}
 * and keeps serving reads.
 */
public interface Storage extends AutoCloseable {

  /** Returns this storage's name, for logs and diagnostics. Works after {@link #close()}. */
  String name();

  /** Returns the tid of the last committed transaction, or {@link Tid#NONE} if there is none. */
  Tid lastTransaction();

  /**
   * Allocates a new object id: greater than every id this storage has allocated, reserved or
   * stored, and never {@link Oid#ROOT}. A durable storage never repeats an id, also after reopen.
   *
   * @throws IdSpaceExhaustedException if the counter is at {@link Oid#MAX}
   */
  Oid newOid();

  /**
   * Makes sure {@link #newOid()} never returns an id {@code <= through}: afterwards the counter
   * is at least {@code through}. Never moves the counter back. Used to keep mirrored storages'
   * counters in step.
   *
   * @throws NullPointerException if {@code through} is null
   * @throws IllegalArgumentException if {@code through} is above {@link Oid#MAX}
   */
  void reserveOids(Oid through);

  /**
   * Returns the current revision of an object.
   *
   * @throws ObjectNotFoundException if the object has no revision
   */
  Revision load(Oid oid);

  /**
   * Returns the revision that was current just before {@code tid}: the newest one with a serial
   * less than {@code tid}.
   *
   * @return that revision, or empty if the object exists but has no revision before {@code tid}
   * @throws ObjectNotFoundException if the object has no revision at all
   * @throws IllegalArgumentException if {@code tid} is {@link Tid#NONE}
   */
  Optional<Revision> loadBefore(Oid oid, Tid tid);

  /**
   * Returns the revision of {@code oid} written by the transaction {@code serial}.
   *
   * @throws ObjectNotFoundException if there is no such revision (also if it was packed away)
   * @throws IllegalArgumentException if {@code serial} is {@link Tid#NONE}
   */
  Revision loadSerial(Oid oid, Tid serial);

  /**
   * Begins a transaction whose tid the storage chooses when it votes.
   *
   * @throws NullPointerException if {@code meta} is null
   * @throws LimitExceededException if {@code meta} is larger than {@link #limits()} allow
   */
  StorageTransaction begin(TransactionMeta meta);

  /**
   * Begins a transaction that commits under exactly {@code tid} (the RAID does this so that every
   * backend commits under the same tid).
   *
   * @throws IllegalArgumentException if {@code tid} is {@link Tid#NONE} or above {@link Tid#MAX}
   * @throws LimitExceededException if {@code meta} is larger than {@link #limits()} allow
   * @throws StaleTidException if {@code tid <= lastTransaction()}; also raised by
   *     {@link StorageTransaction#vote()} if another transaction committed a tid {@code >= tid} meanwhile
   */
  StorageTransaction begin(TransactionMeta meta, Tid tid);

  /**
   * Returns the committed transactions with a tid greater than {@code after}, in tid order, each
   * with its metadata and records as committed (less revisions dropped by {@link #pack(Tid)}).
   * Pass {@link Tid#NONE} for all of them. Close the iterator when done.
   */
  TransactionIterator transactions(Tid after);

  /**
   * Appends an already committed transaction verbatim: same tid, meta and records, no conflict
   * check. Used by recovery to copy history between storages. Takes the commit lock like a commit.
   *
   * @throws StaleTidException if {@code record.tid() <= lastTransaction()}
   * @throws IllegalArgumentException if its tid is above {@link Tid#MAX} or an object id above
   *     {@link Oid#MAX}; a {@link LimitExceededException} if it is over {@link #limits()}. Nothing is
   *     written then.
   */
  void restore(TransactionRecord record);

  /**
   * Drops revisions that are no longer needed to read as of {@code before}: for every object, it
   * keeps every revision with a serial {@code >= before} and the newest one before it, and drops
   * older ones. Transactions themselves are kept (possibly with fewer records), so
   * {@link #lastTransaction()} and tid order are unchanged. Afterwards {@link #load(Oid)} and
   * {@link #loadBefore(Oid, Tid)} with a tid {@code >= before} answer as before.
   *
   * @throws IllegalArgumentException if {@code before} is {@link Tid#NONE}
   */
  void pack(Tid before);

  /** Returns the storage's current size. */
  StorageStats stats();

  /**
   * Returns the limits this storage enforces on every transaction; they do not change while it is
   * open. A RAID checks each transaction against the strictest limits of its backends before any
   * backend sees it. Works after {@link #close()}. The default is {@link StorageLimits#DEFAULT}.
   */
  default StorageLimits limits() {
    return StorageLimits.DEFAULT;
  }

  /**
   * Returns whether this storage's reads ({@link #lastTransaction()}, {@link #load},
   * {@link #loadBefore}, {@link #loadSerial}, {@link #stats()}, and iterating
   * {@link #transactions}) always return promptly: no I/O, no waiting for other threads or for
   * time. A RAID runs such reads on the caller's thread, since no deadline is at risk. Only a storage
   * held in memory can promise this; a wrapper that may delay or hang must not. The default is
   * {@code false}.
   */
  default boolean readsNeverBlock() {
    return false;
  }

  /**
   * Returns whether this storage's transactions never block: {@code begin}, {@code store},
   * {@code vote}, {@code commit}, {@code abort} and {@code close} of its transactions do no I/O and
   * do not wait for time or for other threads, and none of them fails because the calling thread is
   * interrupted, with one exception: {@code vote} waits for this storage's commit lock while
   * another of its transactions holds it (voted and not yet ended). A RAID runs such a backend's
   * transaction phases on the caller's thread: it is the only writer of its backends and ends each
   * transaction it began on one before it votes the next, so the wait never arises there.
   * Only a storage held in memory can promise this; a wrapper that may delay or hang must not.
   * Says nothing about {@link #restore}, {@link #pack}, {@link #newOid()} or
   * {@link #reserveOids}. The default is {@code false}.
   */
  default boolean transactionsNeverBlock() {
    return false;
  }

  /**
   * Closes the storage: an open transaction is aborted, and every later call except
   * {@link #name()} and {@code close()} fails with {@link StorageClosedException}. Idempotent.
   */
  @Override
  void close();
}
