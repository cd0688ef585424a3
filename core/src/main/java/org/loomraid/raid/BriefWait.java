package org.loomraid.raid;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * How a caller waits for a round that will probably end within microseconds (its backends answered
 * that fast lately), before it parks until the deadline. Parking is what costs most then: a virtual
 * thread's timed park arms a timer on the scheduler's delay thread and cancels it again, and a
 * platform thread that sleeps must be woken by the thread that ends the round, on a processor that
 * may have gone idle meanwhile.
 *
 * <ul>
 *   <li>A virtual thread yields its carrier up to {@value #YIELDS} times, so that the round's
 *       threads, queued on the same carrier, run first; it then usually finds them done.</li>
 *   <li>A platform thread spins for at most {@value #SPIN_NANOS} ns, and only while a processor is
 *       left for the round's threads: never on a single processor, never more spinners at once
 *       than processors less one, and, once {@value #MISSES_BEFORE_BACKOFF} spins in a row have
 *       ended without the round (the other processors are busy, say with other processes), only
 *       in one wait of {@value #PROBE_EVERY} until a spin pays off again.</li>
 * </ul>
 * Either way the wait is a few microseconds at most, and the deadlines are not touched. The state
 * is JVM-wide, as processors are; its races only make a spin more or less likely.
 */
final class BriefWait {

  /** A round is expected to end quickly when each of its backends answered this fast lately. */
  static final long QUICK_NANOS = 20_000;

  /** The longest a platform thread spins. */
  static final long SPIN_NANOS = 30_000;

  /** How often a virtual thread yields its carrier. */
  static final int YIELDS = 3;

  /** After this many spins in a row that ended without the round, spinning backs off. */
  static final int MISSES_BEFORE_BACKOFF = 4;

  /** While backed off, one wait in this many spins again, to see whether a processor is free. */
  static final int PROBE_EVERY = 32;

  private static final int MAX_SPINNERS = Runtime.getRuntime().availableProcessors() - 1;

  private static final AtomicInteger spinners = new AtomicInteger();

  private static final AtomicInteger backedOff = new AtomicInteger();

  /** Spins in a row that ended without the round. */
  private static volatile int missedSpins;

  private BriefWait() {}

  /** Waits briefly (see the class comment) until {@code done} is true; returns whether it is. */
  static boolean await(BooleanSupplier done) {
    if (done.getAsBoolean()) {
      return true;
    }
    if (Thread.currentThread().isVirtual()) {
      for (int i = 0; i < YIELDS; i++) {
        Thread.yield();
        if (done.getAsBoolean()) {
          return true;
        }
      }
      return false;
    }
    int missed = missedSpins;
    if (missed >= MISSES_BEFORE_BACKOFF
        && (backedOff.incrementAndGet() & (PROBE_EVERY - 1)) != 0) {
      return false;
    }
    if (spinners.incrementAndGet() > MAX_SPINNERS) {
      spinners.decrementAndGet();
      return false;
    }
    try {
      long end = System.nanoTime() + SPIN_NANOS;
      while (!done.getAsBoolean()) {
        if (System.nanoTime() - end > 0) {
          missedSpins = Math.min(missed + 1, MISSES_BEFORE_BACKOFF);
          return false;
        }
        Thread.onSpinWait();
      }
      if (missed != 0) {
        missedSpins = 0;
      }
      return true;
    } finally {
      spinners.decrementAndGet();
    }
  }
}
