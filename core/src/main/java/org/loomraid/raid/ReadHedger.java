package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.storage.Storage;

/**
 * Runs hedged reads ({@link HedgedReads}): one attempt of a read sends it to its backend on a
 * thread of its own and, if that backend has not answered when the hedge delay is up, sends it to
 * a second optimal backend too, within the budget; the first answer wins.
 *
 * <h2>The outcome model, for two calls</h2>
 * Each call is a {@link Round} of one slot, judged on its own by the {@link Dispatcher} exactly as
 * an unhedged read's is, so the model holds for each: an answer (a value, or a refusal such as not
 * found) from either is the read's answer; a failure degrades its backend, also after the other
 * answered; no response within a call's own deadline degrades its backend. The caller waits at
 * most until the first call's deadline: if neither has answered by then, the first is given up
 * (no response, as without hedging) and the read goes on elsewhere, as after any failure. A call
 * still running when the caller leaves is never waited for: a watcher thread (one per such call,
 * so only for hedged reads) waits for it to end or reach its deadline, then judges it; the call
 * wakes its watcher as it returns.
 *
 * <h2>Budget and delay</h2>
 * Every attempt adds {@code budget} to the allowance and every hedge spends one: hedges never
 * exceed that fraction of the attempts, and an unused allowance is kept for at most
 * {@link #BURST} hedges. A percentile delay is read from the caller-observed latency of recent
 * attempts, recomputed at most every {@link #DELAY_REFRESH_NANOS}; until {@link #MIN_SAMPLES}
 * attempts have been measured, nothing is hedged.
 *
 * <p>Thread-safe and lock-free.
 */
final class ReadHedger {

  /** How many hedges an unused allowance can save up. */
  static final long BURST = 10;

  /** How many measured reads a percentile delay needs before it hedges anything. */
  static final long MIN_SAMPLES = 100;

  /** How often a percentile delay is recomputed, at most. */
  static final long DELAY_REFRESH_NANOS = 100_000_000L;

  /**
   * What one attempt came to: the judged verdict that answers the read (a value, a refusal, a
   * severe error or overload), or null if no backend answered; and the second backend it was sent
   * to, or null if it was not hedged.
   */
  record Attempt<T>(Verdict<T> verdict, Backend second) {}

  private final HedgedReads config;
  private final long fixedDelayNanos;
  private final long timeoutNanos;
  private final Duration timeout;
  private final RaidThreads threads;
  private final Dispatcher dispatcher;
  private final ReadRouter router;
  private final LongAdder attempts = new LongAdder();
  private final AtomicLong hedges = new AtomicLong();
  private final LatencyRecorder observed;
  private volatile long delayNanos = Long.MAX_VALUE;
  private volatile long delayComputedAt;

  ReadHedger(HedgedReads config, Duration timeout, RaidThreads threads, Dispatcher dispatcher,
      ReadRouter router) {
    this.config = config;
    this.fixedDelayNanos = config.delay().map(Duration::toNanos).orElse(-1L);
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.threads = threads;
    this.dispatcher = dispatcher;
    this.router = router;
    this.observed = fixedDelayNanos > 0 ? null : new LatencyRecorder();
    this.delayComputedAt = System.nanoTime() - DELAY_REFRESH_NANOS;
  }

  /** Returns whether reads of {@code backend} can block, so that there is something to hedge. */
  static boolean blocks(Backend backend) {
    Storage instance = backend.storage();
    return instance != null && !instance.readsNeverBlock();
  }

  /**
   * Runs one attempt of a read: on {@code first}, hedged on another optimal backend not in
   * {@code tried} if the delay passes.
   */
  <T> Attempt<T> read(String operation, Backend first, List<Backend> tried, Round.Call<T> call) {
    long start = System.nanoTime();
    attempts.increment();
    long delay = delay(start);
    boolean hedgeDue = delay < timeoutNanos;
    long hedgeAt = start + delay;
    Call<T> a = new Call<>(this, operation, first, call);
    a.start();
    Call<T> b = null;
    HedgedReadEvent event = null;
    Call<T> winner;
    long deadline = a.slot.deadline();
    boolean interrupted = false;
    while (true) {
      winner = settleFinished(a, b);
      if (winner != null || a.severe != null || (b != null && b.severe != null)) {
        break;
      }
      if (a.verdict != null && (b == null || b.verdict != null)) {
        break; // every call ended without an answer
      }
      if (a.verdict == null) {
        deadline = a.slot.deadline();
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        if (a.verdict == null) {
          a.round.abandon(a.slot, true); // no response, as without hedging
          winner = settleFinished(a, b); // unless it answered at the last moment
        }
        break;
      }
      if (hedgeDue && now - hedgeAt >= 0) {
        hedgeDue = false;
        Backend second = a.verdict == null ? router.pick(with(tried, first), false) : null;
        if (second != null && spend()) {
          event = Telemetry.hedgeStarted();
          b = new Call<>(this, operation, second, call);
          b.start();
        }
        continue;
      }
      long until = hedgeDue && hedgeAt - deadline < 0 ? hedgeAt : deadline;
      interrupted |= awaitChange(a, b, until);
    }
    Verdict<T> answer = null;
    if (winner != null) {
      answer = winner.settle();
      if (observed != null) {
        observed.record(System.nanoTime() - start);
      }
    } else if (a.severe != null || (b != null && b.severe != null)) {
      answer = a.severe != null ? a.severe : b.severe;
    } else if (a.slot.outcome() == Outcome.NOT_REACHED) {
      answer = a.verdict; // the JVM did not run it in time: overload, whatever the hedge did
    }
    leave(a);
    if (b != null) {
      leave(b);
      if (event != null) {
        event.raid = threads.raid();
        event.operation = operation;
        event.first = first.name();
        event.second = b.backend.name();
        event.answeredBy = winner == null ? "" : winner.backend.name();
        event.delay = delay;
        event.commit();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new Attempt<>(answer, b == null ? null : b.backend);
  }

  /** Settles the calls that ended; returns the first with an answer, or null. */
  private static <T> Call<T> settleFinished(Call<T> a, Call<T> b) {
    Call<T> winner = settleIfEnded(a);
    return winner != null || b == null ? winner : settleIfEnded(b);
  }

  /** Settles {@code call} if it ended without an answer; returns it if it ended with one. */
  private static <T> Call<T> settleIfEnded(Call<T> call) {
    if (call.verdict != null || !call.slot.finished()) {
      return null;
    }
    if (call.slot.outcome().votes()) {
      return call;
    }
    Verdict<T> verdict = call.settle();
    Outcome outcome = call.slot.outcome();
    if (outcome == Outcome.RAID_ERROR || outcome == Outcome.FATAL) {
      call.severe = verdict;
    }
    return null;
  }

  /**
   * Waits, not interruptibly, until a call not yet settled has ended, or {@code until} has passed,
   * in slices (a call's deadline moves when its thread starts late); returns whether the caller was
   * interrupted meanwhile. Each call's completion wakes the caller, which created its round.
   */
  private boolean awaitChange(Call<?> a, Call<?> b, long until) {
    boolean interrupted = false;
    long slice = Math.max(timeoutNanos / 8, 1_000_000L);
    while (!ended(a) && !ended(b)) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        break;
      }
      LockSupport.parkNanos(this, Math.min(left, slice));
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  private static boolean ended(Call<?> call) {
    return call != null && call.verdict == null && call.slot.finished();
  }

  /** Leaves a call behind: judged now if it has ended, else watched until it does. */
  private <T> void leave(Call<T> call) {
    if (call.verdict != null) {
      return;
    }
    if (call.slot.finished()) {
      call.settle();
      return;
    }
    threads.start(threads.threadName(call.backend.name() + "-hedge"), call::watch);
  }

  /** Spends one hedge from the budget; false if there is none left. */
  private boolean spend() {
    double budget = config.budget();
    while (true) {
      long allowed = (long) (budget * attempts.sum());
      long used = hedges.get();
      if (allowed - used > BURST) {
        hedges.compareAndSet(used, allowed - BURST); // an unused allowance is kept up to BURST
        continue;
      }
      if (used >= allowed) {
        return false;
      }
      if (hedges.compareAndSet(used, used + 1)) {
        return true;
      }
    }
  }

  /** Returns the hedge delay now, in nanoseconds; {@code Long.MAX_VALUE} for none. */
  private long delay(long now) {
    if (fixedDelayNanos > 0) {
      return fixedDelayNanos;
    }
    if (now - delayComputedAt < DELAY_REFRESH_NANOS) {
      return delayNanos;
    }
    LatencyRecorder.Snapshot recent = observed.snapshot();
    long computed = recent.count() < MIN_SAMPLES ? Long.MAX_VALUE
        : Math.max(1, recent.valueAt(config.percentile().orElseThrow()));
    delayNanos = computed;
    delayComputedAt = now;
    return computed;
  }

  private static List<Backend> with(List<Backend> tried, Backend backend) {
    List<Backend> more = tried == null ? new ArrayList<>(2) : new ArrayList<>(tried);
    more.add(backend);
    return more;
  }

  /**
   * One call of a hedged read: a round of one slot on its backend, whose call tells a watcher (if
   * one is waiting) when it returns.
   */
  private static final class Call<T> {
    final ReadHedger hedger;
    final Backend backend;
    final Round<T> round;
    final Round.Slot<T> slot;
    volatile boolean returned;
    volatile Thread watcher;
    Verdict<T> verdict;
    Verdict<T> severe;

    Call(ReadHedger hedger, String operation, Backend backend, Round.Call<T> read) {
      this.hedger = hedger;
      this.backend = backend;
      this.round = new Round<>(hedger.threads, operation, List.of(backend), hedger.timeout,
          Round.Kind.QUERY, true, (storage, slot) -> {
            try {
              return read.call(storage, slot);
            } finally {
              returned();
            }
          });
      this.slot = round.slots()[0];
    }

    void start() {
      slot.start();
    }

    private void returned() {
      returned = true;
      Thread waiting = watcher;
      if (waiting != null) {
        LockSupport.unpark(waiting);
      }
    }

    /** Judges the ended call (degrading its backend if it failed) and learns its latency. */
    Verdict<T> settle() {
      verdict = hedger.dispatcher.judge(Verdict.of(round, value -> Verdict.SUCCESS));
      hedger.router.learn(slot);
      return verdict;
    }

    /**
     * On a watcher thread: waits until the call ends (its return wakes the watcher; the slot
     * completes a moment later) or reaches its own deadline, gives it up then, and judges it.
     */
    void watch() {
      watcher = Thread.currentThread();
      while (!slot.finished()) {
        long left = slot.deadline() - System.nanoTime();
        if (left <= 0) {
          break;
        }
        if (returned) {
          Thread.yield();
        } else {
          LockSupport.parkNanos(this, left);
        }
      }
      round.abandon(slot, true);
      settle();
    }
  }
}
