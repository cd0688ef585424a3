package org.loomraid.raid;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs at most one scrub of a RAID at a time and remembers where the last one stopped, so that the
 * next continues from there.
 *
 * <p>A scrub that stops before its end (cancelled, failed, the RAID closed) leaves its position: the
 * last transaction it compared, with how much of the pass it had compared. The next scrub starts
 * after it unless asked to start over; one that reaches its end clears it, so the scrub after that
 * compares everything again. The position lives as long as the RAID object: after a restart of the
 * RAID a scrub starts from the first transaction.
 *
 * <p>The scrub lock guards the last scrub and the position; it is held for field updates and for
 * starting a scrub's thread only, and takes no other lock (a leaf of the lock order).
 */
final class Scrubber {

  private final ReentrantLock lock = new ReentrantLock();
  private volatile Scrub last;
  private Scrub.Resume resume = Scrub.Resume.START;

  /**
   * Starts a scrub with {@code options}.
   *
   * @throws IllegalStateException if a scrub is running, or fewer than two backends are optimal
   */
  Scrub start(Engine engine, ScrubOptions options) {
    lock.lock();
    try {
      Scrub running = last;
      if (running != null && !running.isDone()) {
        throw new IllegalStateException("RAID '" + engine.name() + "': a scrub is already running ("
            + running.describe() + "); await it or cancel it first");
      }
      int optimal = engine.roster().optimal().size();
      if (optimal < 2) {
        throw new IllegalStateException("RAID '" + engine.name() + "': a scrub compares two or"
            + " more optimal backends, and there " + (optimal == 1 ? "is " : "are ") + optimal
            + " (" + engine.roster().describe() + ")");
      }
      Scrub scrub = new Scrub(engine, this, options,
          options.fromStart() ? Scrub.Resume.START : resume);
      last = scrub;
      scrub.start();
      return scrub;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the running scrub, or the last one to have run. */
  Optional<ScrubHandle> last() {
    return Optional.ofNullable(last);
  }

  /** Returns the running scrub, or null. */
  Scrub running() {
    Scrub current = last;
    return current != null && !current.isDone() ? current : null;
  }

  /** Records where {@code scrub} stopped before its end. */
  void stopped(Scrub scrub, Scrub.Resume at) {
    lock.lock();
    try {
      if (last == scrub) {
        resume = at;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Records that {@code scrub} compared through its end: the next one starts over. */
  void completed(Scrub scrub) {
    lock.lock();
    try {
      if (last == scrub) {
        resume = Scrub.Resume.START;
      }
    } finally {
      lock.unlock();
    }
  }
}
