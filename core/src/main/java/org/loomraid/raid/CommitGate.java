package org.loomraid.raid;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;

/**
 * The RAID commit lock and the position of the RAID's history: its last committed tid, the highest
 * tid it ever chose, how many transactions it holds, an unresolved in-doubt commit, and the horizon
 * of its last pack.
 *
 * <p>The lock (a fair {@link Semaphore}, because vote and commit may run on different threads)
 * serialises everything that appends to the backends' histories: a transaction from vote to commit
 * or abort, a restore, a pack, and the promotion of a recovered backend. It is taken with a bounded
 * wait and released by whichever thread ends the holder's work. The position fields are written
 * only under the lock and read without it (volatile).
 *
 * <p>The last committed tid advances as soon as one backend applied a commit, while the commit may
 * still be reaching the others; the <em>settled</em> tid advances only when the lock is released,
 * once every backend the commit went to has applied it (or been taken out of service). A reader that
 * must see the same history on every optimal backend (a scrub) reads up to the settled tid.
 */
final class CommitGate {

  /** How a wait for the lock ended, for callers that must not throw (recovery). */
  enum Acquired { ACQUIRED, TIMED_OUT, INTERRUPTED }

  /**
   * A commit whose fan-out got no answer from any backend (the RAID was overloaded, or every
   * backend unreachable): committed on all, some or none of them. Resolved before the next write.
   *
   * @param tid the transaction's tid
   * @param slots the commit slots given up on; their threads may still be committing
   */
  record InDoubt(Tid tid, List<? extends Round.Slot<?>> slots) {}

  private final String raid;
  private final Duration timeout;
  private final TidGenerator tids;
  private final Semaphore lock = new Semaphore(1, true);
  private final AtomicLong committedCount = new AtomicLong();
  private volatile String holder = "a transaction";
  private volatile Tid lastCommitted = Tid.NONE;
  private volatile Tid highestChosen = Tid.NONE;
  private volatile InDoubt inDoubt;
  private volatile Tid packHorizon = Tid.NONE;
  private volatile Tid settled = Tid.NONE;

  CommitGate(String raid, Duration timeout, TidGenerator tids) {
    this.raid = raid;
    this.timeout = timeout;
    this.tids = tids;
  }

  /**
   * Takes the lock for {@code what} (named in a timeout message of another waiter), waiting at most
   * the commit lock timeout.
   *
   * @throws CommitLockTimeoutException if it is not free in time
   * @throws StorageInterruptedException if interrupted while waiting
   */
  void acquire(String what) {
    switch (tryAcquire(what)) {
      case ACQUIRED -> { }
      case TIMED_OUT -> {
        String current = holder;
        throw current.equals("a transaction") ? new CommitLockTimeoutException(raid, timeout)
            : new CommitLockTimeoutException(raid, timeout, current);
      }
      case INTERRUPTED -> {
        Thread.currentThread().interrupt();
        throw new StorageInterruptedException(
            "RAID '" + raid + "': interrupted waiting for the commit lock", null);
      }
    }
  }

  /** Takes the lock as {@link #acquire} does, but reports instead of throwing. */
  Acquired tryAcquire(String what) {
    try {
      if (!lock.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return Acquired.TIMED_OUT;
      }
    } catch (InterruptedException e) {
      return Acquired.INTERRUPTED;
    }
    holder = what;
    return Acquired.ACQUIRED;
  }

  /**
   * Releases the lock; by whichever thread ends the holder's work. Whatever the holder committed
   * has reached every backend it will reach by now, so the settled tid catches up.
   */
  void release() {
    settled = lastCommitted;
    holder = "a transaction";
    lock.release();
  }

  /**
   * Chooses the tid of the next commit, under the lock: {@code requested}, or a new one after every
   * tid this RAID has chosen (so no tid is ever offered twice, not even one whose commit is in
   * doubt); records it as the highest chosen.
   *
   * @throws StaleTidException if {@code requested} is not after the RAID's last transaction
   * @throws org.loomraid.storage.IdSpaceExhaustedException if no tid is left
   */
  Tid chooseTid(Tid requested) {
    Tid last = lastCommitted;
    Tid tid = requested.isNone() ? tids.next(highestChosen) : requested;
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    chose(tid);
    return tid;
  }

  /** Records {@code tid} as chosen (a restore's tid is chosen by its caller). */
  void chose(Tid tid) {
    if (tid.isAfter(highestChosen)) {
      highestChosen = tid;
    }
  }

  /** Records a transaction applied by at least one backend; under the lock. */
  void committed(Tid tid) {
    if (tid.isAfter(lastCommitted)) {
      lastCommitted = tid;
      committedCount.incrementAndGet();
    }
    chose(tid);
  }

  /**
   * Moves the RAID to a history a backend holds beyond it (commits that were in doubt), when that
   * backend is brought back as the only one in service; under the lock.
   */
  void adopt(Tid last, long transactionCount) {
    lastCommitted = last;
    chose(last);
    committedCount.set(transactionCount);
  }

  /** Sets where the RAID starts: its last tid and transaction count. */
  void startAt(Tid last, long transactionCount) {
    lastCommitted = last;
    highestChosen = last;
    settled = last;
    committedCount.set(transactionCount);
  }

  /** Returns the RAID's last committed transaction. */
  Tid lastCommitted() {
    return lastCommitted;
  }

  /**
   * Returns the last transaction whose commit has ended on every backend it went to: the last
   * committed tid as of the last release of the commit lock. Every optimal backend holds every
   * transaction up to it.
   */
  Tid settled() {
    return settled;
  }

  /** Returns the highest tid the RAID ever chose (committed or not). */
  Tid highestChosen() {
    return highestChosen;
  }

  /** Returns how many transactions the RAID holds, as far as it knows. */
  long committedCount() {
    return committedCount.get();
  }

  /** Records a commit in doubt on every backend; resolved before the next write. Under the lock. */
  void inDoubt(InDoubt pending) {
    inDoubt = pending;
  }

  /** Returns the unresolved in-doubt commit, or null. */
  InDoubt inDoubt() {
    return inDoubt;
  }

  /** Clears the in-doubt commit once resolved. Under the lock. */
  void resolved() {
    inDoubt = null;
  }

  /** Returns the highest {@code before} the RAID packed with in this run, or NONE. */
  Tid packHorizon() {
    return packHorizon;
  }

  /** Records a finished pack. Under the lock. */
  void packed(Tid before) {
    if (before.isAfter(packHorizon)) {
      packHorizon = before;
    }
  }
}
