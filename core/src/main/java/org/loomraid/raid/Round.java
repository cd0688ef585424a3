package org.loomraid.raid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageException;

/**
 * One fan-out: one call to each target backend, each on its own thread, all under one deadline
 * that starts when the round is created. A {@link FanOut} runs the slots; the caller then reads
 * each slot's {@link Outcome}.
 *
 * <p>The caller's thread creates the round and waits for it; backend threads only fill in their
 * own slot and signal completion. A slot is finished exactly once, by a compare-and-set of its
 * state: either its thread finishes it ({@code DONE}) or the caller gives up on it at the
 * deadline ({@code ABANDONED}) or never starts it ({@code NOT_REACHED}). A thread that finishes
 * after being abandoned discards its result and closes whatever it attached (a half-done backend
 * transaction, a storage it opened).
 *
 * @param <T> the result type of the call
 */
final class Round<T> {

  /** The call a round makes to each backend. */
  @FunctionalInterface
  interface Call<T> {
    /**
     * Calls one backend. May set the slot's stage (for failure reasons) and attach what must be
     * released if the caller gives up on the slot.
     */
    T call(Storage storage, Slot<T> slot) throws Exception;
  }

  /** How one backend's call ended. */
  enum Outcome {
    /** It returned a value. */
    SUCCESS,
    /** It threw a {@link StorageException}: a valid answer from a healthy backend. */
    ANSWER,
    /** It threw anything else: the backend failed. */
    FAILURE,
    /** It did not end before the deadline (or was never reached): the backend failed. */
    NO_RESPONSE,
    /** It threw a {@link VirtualMachineError}: not the backend's fault; rethrown to the caller. */
    FATAL
  }

  static final int NEW = 0;
  static final int RUNNING = 1;
  static final int DONE = 2;
  static final int ABANDONED = 3;
  static final int NOT_REACHED = 4;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Slot.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final RaidThreads threads;
  private final String operation;
  private final Duration timeout;
  private final long deadline;
  private final Call<T> call;
  private final Slot<T>[] slots;
  private final AtomicInteger pending;
  private final Thread waiter = Thread.currentThread();
  private volatile boolean wakeOnEach;

  @SuppressWarnings({"unchecked", "rawtypes"})
  Round(RaidThreads threads, String operation, List<Backend> targets, Duration timeout,
      Call<T> call) {
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.threads = threads;
    this.operation = operation;
    this.timeout = timeout;
    this.call = call;
    this.slots = new Slot[targets.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot<>(this, i, targets.get(i));
    }
    this.pending = new AtomicInteger(slots.length);
  }

  /** Returns the operation's name, as used in failure reasons ({@code "vote"}, {@code "load"}). */
  String operation() {
    return operation;
  }

  /** Returns the slots, one per target, in target order. */
  Slot<T>[] slots() {
    return slots;
  }

  /** Returns the size of the round. */
  int size() {
    return slots.length;
  }

  /** Returns the thread registry of the RAID. */
  RaidThreads threads() {
    return threads;
  }

  /** Returns whether the deadline has passed. */
  boolean expired() {
    return System.nanoTime() - deadline >= 0;
  }

  /** Makes every completion wake the caller, not only the last (for one-at-a-time fan-outs). */
  void wakeOnEachCompletion() {
    wakeOnEach = true;
  }

  /**
   * Waits until every slot has finished or the deadline has passed. Not interruptible: the wait is
   * bounded by the deadline, and an interrupt of the caller is restored when it returns.
   */
  void awaitAll() {
    awaitUntil(null);
  }

  /** Waits until {@code slot} has finished or the deadline has passed; as {@link #awaitAll()}. */
  void awaitSlot(Slot<T> slot) {
    awaitUntil(slot);
  }

  private void awaitUntil(Slot<T> slot) {
    boolean interrupted = false;
    while (slot == null ? pending.get() > 0 : slot.state() == RUNNING) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Gives up on every slot that has not finished: it counts as no response, its thread is
   * interrupted if {@code interrupt} and tracked until it ends.
   *
   * @return how many slots were given up
   */
  int abandonUnfinished(boolean interrupt) {
    int count = 0;
    for (Slot<T> slot : slots) {
      if (abandon(slot, interrupt)) {
        count++;
      }
    }
    return count;
  }

  /** Gives up on {@code slot} if it has not finished; see {@link #abandonUnfinished}. */
  boolean abandon(Slot<T> slot, boolean interrupt) {
    if (slot.casState(NEW, NOT_REACHED)) {
      return true;
    }
    if (!slot.casState(RUNNING, ABANDONED)) {
      return false;
    }
    slot.backend.stats().recordFailure(timeout.toNanos());
    Thread thread = slot.thread;
    if (thread != null) {
      if (interrupt) {
        thread.interrupt();
      }
      threads.abandon(thread, "backend '" + slot.backend.name() + "' gave no response within "
          + Durations.format(timeout) + " in " + slot.stage());
    }
    return true;
  }

  private void completed() {
    if (pending.decrementAndGet() == 0 || wakeOnEach) {
      LockSupport.unpark(waiter);
    }
  }

  /**
   * One backend's part of a round: runs the call on the backend's thread and records how it
   * ended.
   */
  static final class Slot<T> implements Runnable {
    private final Round<T> round;
    private final int index;
    private final Backend backend;
    private final Storage storage;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = NEW;
    private volatile String stage;
    private volatile AutoCloseable attachment;
    volatile Thread thread;
    private T value;
    private Throwable error;

    Slot(Round<T> round, int index, Backend backend) {
      this.round = round;
      this.index = index;
      this.backend = backend;
      this.storage = backend.storage();
      this.stage = round.operation;
    }

    /** Returns the slot's position in the round (the position of its backend among the targets). */
    int index() {
      return index;
    }

    /** Returns the backend this slot calls. */
    Backend backend() {
      return backend;
    }

    /** Returns the name of the thread that runs this slot. */
    String threadName() {
      return backend.threadName();
    }

    /** Names the step the call is in, for the failure reason ({@code "begin"}, {@code "store"}). */
    void stage(String name) {
      stage = name;
    }

    /** Returns the step the call is (or was last) in. */
    String stage() {
      return stage;
    }

    /** Attaches what must be closed if the caller gives up on this slot (or null). */
    void attach(AutoCloseable resource) {
      attachment = resource;
    }

    /** Returns what the call attached, or null. */
    AutoCloseable attachment() {
      return attachment;
    }

    int state() {
      return (int) STATE.getVolatile(this);
    }

    boolean casState(int expected, int next) {
      return STATE.compareAndSet(this, expected, next);
    }

    /** Marks the slot running before its thread starts; false if it was already given up. */
    boolean markRunning() {
      return casState(NEW, RUNNING);
    }

    /** Starts the slot on a new thread of its backend (for fan-outs that start threads). */
    void start() {
      if (markRunning()) {
        Thread created = round.threads.newThread(backend.threadName(), this);
        thread = created;
        created.start();
      }
    }

    @Override
    public void run() {
      Thread me = Thread.currentThread();
      thread = me;
      if (state() != RUNNING) {
        return;
      }
      long start = System.nanoTime();
      T result = null;
      Throwable failure = null;
      try {
        result = round.call.call(storage, this);
      } catch (Throwable t) {
        failure = t;
      }
      long elapsed = System.nanoTime() - start;
      value = result;
      error = failure;
      if (casState(RUNNING, DONE)) {
        backend.stats().record(elapsed,
            failure != null && !(failure instanceof StorageException));
        round.completed();
      } else {
        Closing.quietly(attachment, backend, "late result of " + round.operation);
        round.threads.ended(me);
      }
    }

    /** Returns how the call ended; only meaningful once the round is over. */
    Outcome outcome() {
      int s = state();
      if (s != DONE) {
        return Outcome.NO_RESPONSE;
      }
      Throwable e = error;
      if (e == null) {
        return Outcome.SUCCESS;
      }
      if (e instanceof StorageException) {
        return Outcome.ANSWER;
      }
      if (e instanceof VirtualMachineError) {
        return Outcome.FATAL;
      }
      return Outcome.FAILURE;
    }

    /** Returns the call's result if it finished in time, else null. */
    T value() {
      return state() == DONE ? value : null;
    }

    /** Returns what the call threw, or null. */
    Throwable error() {
      return state() == DONE ? error : null;
    }

    /** Returns the degradation reason for a failed slot. */
    String failureReason() {
      if (state() != DONE) {
        String reason = "no response within " + Durations.format(round.timeout) + " in " + stage;
        return state() == NOT_REACHED ? reason + " (not reached before the deadline)" : reason;
      }
      return "error in " + stage + ": " + Durations.describe(error);
    }
  }
}
