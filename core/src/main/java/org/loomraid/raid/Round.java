package org.loomraid.raid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.loomraid.storage.Storage;

/**
 * One fan-out: one call to each target backend, each on its own thread (or, for a backend whose
 * calls never block, on the caller's), each bounded by the round's deadline. A {@link FanOut} runs
 * the slots; {@link Verdict} then reads how each ended.
 *
 * <h2>Deadlines</h2>
 * Every slot may call its backend for at most the round's timeout, counted from the moment its
 * thread starts calling. A slot whose thread starts late (the JVM was too busy to run it) still gets
 * its full timeout, up to a cap measured from when the slot was launched: twice the timeout for a
 * {@link Kind#QUERY}, ten times for a {@link Kind#COMMIT} (whose slots must not be given up lightly:
 * a commit not carried out leaves the backend behind). A slot given up before its thread ever
 * called the backend is {@link Outcome#NOT_REACHED}, never the backend's failure; one given up while
 * calling is {@link Outcome#NO_RESPONSE}. So a hung backend costs the caller one timeout, while a
 * merely late thread is waited for.
 *
 * <h2>States</h2>
 * A slot is finished exactly once, by a compare-and-set of its state: {@code NEW} → {@code LAUNCHED}
 * (its thread was started) → {@code CALLING} (the thread is in the call) → {@code DONE}; or the
 * caller gives up: {@code NEW}/{@code LAUNCHED} → {@code NOT_REACHED}, {@code CALLING} →
 * {@code ABANDONED}. A thread that finishes after being abandoned discards its result and closes
 * whatever it attached (a half-done backend transaction, a storage it opened).
 *
 * @param <T> the result type of the call
 */
final class Round<T> {

  /** The call a round makes to each backend. */
  @FunctionalInterface
  interface Call<T> {
    /**
     * Calls one backend's instance. May set the slot's stage (for failure reasons) and attach what
     * must be released if the caller gives up on the slot. The RAID's own code that could fail runs
     * in {@link Slot#own}.
     */
    T call(Storage storage, Slot<T> slot) throws Exception;
  }

  /**
   * What a round's call does to a backend, which decides whether a slot may run on the caller's
   * thread: only if its backend declares that such calls never block, so no deadline is at risk.
   */
  enum Access {
    /** Reads only: on the caller's thread for a backend whose reads never block. */
    READ,
    /**
     * A phase of the backend's transactions (begin, stores and vote; commit; abort): on the
     * caller's thread for a backend whose transactions never block
     * ({@link Storage#transactionsNeverBlock()}).
     */
    TRANSACTION,
    /** Anything else (open, restore, pack, close, OID counters): always on a thread of its own. */
    OTHER;

    /** Returns whether calls of this kind to {@code storage} may run on the caller's thread. */
    boolean neverBlocks(Storage storage) {
      return switch (this) {
        case READ -> storage.readsNeverBlock();
        case TRANSACTION -> storage.transactionsNeverBlock();
        case OTHER -> false;
      };
    }
  }

  /** How patient a round is with slots whose threads start late. */
  enum Kind {
    /** Anything before a commit point: late slots are waited for up to twice the timeout. */
    QUERY(2),
    /** A commit or restore: late slots are waited for up to ten times the timeout. */
    COMMIT(10);

    final int capFactor;

    Kind(int capFactor) {
      this.capFactor = capFactor;
    }
  }

  /** Wraps what the RAID's own code threw inside a slot, so it is never blamed on the backend. */
  static final class RaidSideException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RaidSideException(RuntimeException cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  static final int NEW = 0;
  static final int LAUNCHED = 1;
  static final int CALLING = 2;
  static final int DONE = 3;
  static final int ABANDONED = 4;
  static final int NOT_REACHED = 5;

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
  private final long timeoutNanos;
  private final long capNanos;
  private final long createdNanos = System.nanoTime();
  private final Kind kind;
  private final Access access;
  private final Call<T> call;
  private final Slot<T>[] slots;
  private final AtomicInteger pending;
  private final Thread waiter = Thread.currentThread();
  private volatile boolean wakeOnEach;

  Round(RaidThreads threads, String operation, List<Backend> targets, Duration timeout, Kind kind,
      Call<T> call) {
    this(threads, operation, targets, timeout, kind, Access.OTHER, call);
  }

  /**
   * Creates a round; if {@code reads}, the call only reads, so slots of backends whose reads never
   * block ({@link Storage#readsNeverBlock()}) run on the caller's thread.
   */
  Round(RaidThreads threads, String operation, List<Backend> targets, Duration timeout, Kind kind,
      boolean reads, Call<T> call) {
    this(threads, operation, targets, timeout, kind, reads ? Access.READ : Access.OTHER, call);
  }

  /**
   * Creates a round whose slots run on the caller's thread where {@code access} allows it for
   * their backend (see {@link Access}).
   */
  Round(RaidThreads threads, String operation, List<Backend> targets, Duration timeout, Kind kind,
      Access access, Call<T> call) {
    this(threads, operation, targets, null, timeout, kind, access, call);
  }

  /**
   * Creates a round; {@code instances}, if not null, names the instance each slot calls (for a
   * call on something opened on an earlier instance, such as an iterator), else each slot calls its
   * backend's current instance.
   */
  Round(RaidThreads threads, String operation, List<Backend> targets, List<Storage> instances,
      Duration timeout, Kind kind, boolean reads, Call<T> call) {
    this(threads, operation, targets, instances, timeout, kind,
        reads ? Access.READ : Access.OTHER, call);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Round(RaidThreads threads, String operation, List<Backend> targets,
      List<Storage> instances, Duration timeout, Kind kind, Access access, Call<T> call) {
    this.threads = threads;
    this.operation = operation;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.capNanos = saturatedMultiply(timeoutNanos, kind.capFactor);
    this.kind = kind;
    this.access = access;
    this.call = call;
    this.slots = new Slot[targets.size()];
    for (int i = 0; i < slots.length; i++) {
      Backend target = targets.get(i);
      slots[i] = new Slot<>(this, i, target,
          instances == null ? target.storage() : instances.get(i));
    }
    this.pending = new AtomicInteger(slots.length);
  }

  /** Returns the operation's name, as used in failure reasons ({@code "vote"}, {@code "load"}). */
  String operation() {
    return operation;
  }

  /** Returns the round's kind. */
  Kind kind() {
    return kind;
  }

  /** Returns the deadline of one call. */
  Duration timeout() {
    return timeout;
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

  /** Makes every completion wake the caller, not only the last (for one-at-a-time fan-outs). */
  void wakeOnEachCompletion() {
    wakeOnEach = true;
  }

  /**
   * Waits until every slot has finished or is past its deadline. Not interruptible: the wait is
   * bounded, and an interrupt of the caller is restored when it returns.
   */
  void awaitAll() {
    awaitAll(() -> false);
  }

  /**
   * Waits as {@link #awaitAll()}, but returns early once {@code stop} says so (checked whenever
   * the caller is woken: by a completion, an interrupt or an unpark).
   */
  void awaitAll(BooleanSupplier stop) {
    boolean interrupted = false;
    long nominal = createdNanos + timeoutNanos;
    if (pending.get() > 0 && expectQuick()) {
      BriefWait.await(() -> pending.get() == 0);
    }
    while (pending.get() > 0 && !stop.getAsBoolean()) {
      if (!park(latestDeadline(), nominal)) {
        break;
      }
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until {@code slot} has finished or is past its deadline; as {@link #awaitAll()}. */
  void awaitSlot(Slot<T> slot) {
    boolean interrupted = false;
    if (!slot.finished() && slot.backend.stats().recentNanos() < BriefWait.QUICK_NANOS) {
      BriefWait.await(slot::finished);
    }
    while (!slot.finished()) {
      if (!park(slot.deadline(), slot.launchNanos + timeoutNanos)) {
        break;
      }
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Parks towards {@code target}; false if it has passed. Until {@code nominal} (where a slot that
   * started on time ends) it parks in one go; beyond it, only late slots are waited for, and their
   * deadlines move when their threads start (without waking the caller), so it parks in short
   * slices and looks again.
   */
  private boolean park(long target, long nominal) {
    long now = System.nanoTime();
    long left = target - now;
    if (left <= 0) {
      return false;
    }
    long toNominal = nominal - now;
    long slice = toNominal > 0 ? toNominal : Math.max(timeoutNanos / 8, 1_000_000L);
    LockSupport.parkNanos(this, Math.min(left, slice));
    return true;
  }

  /** Whether every backend on a thread of its own answered quickly lately ({@link BriefWait}). */
  private boolean expectQuick() {
    for (Slot<T> slot : slots) {
      if (!slot.inline && slot.backend.stats().recentNanos() >= BriefWait.QUICK_NANOS) {
        return false;
      }
    }
    return true;
  }

  /** The latest deadline among the unfinished slots (each has its own; see the class comment). */
  private long latestDeadline() {
    long latest = createdNanos + timeoutNanos;
    for (Slot<T> slot : slots) {
      if (!slot.finished()) {
        long own = slot.deadline();
        if (own - latest > 0) {
          latest = own;
        }
      }
    }
    return latest;
  }

  /**
   * Gives up on every slot that has not finished (see the class comment for what each becomes);
   * a thread in a call is interrupted if {@code interrupt}, and tracked until it ends.
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
    if (slot.casState(NEW, NOT_REACHED) || slot.casState(LAUNCHED, NOT_REACHED)) {
      return true;
    }
    if (!slot.casState(CALLING, ABANDONED)) {
      return false;
    }
    slot.backend.stats().recordFailure(timeoutNanos);
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
    if ((pending.decrementAndGet() == 0 || wakeOnEach) && Thread.currentThread() != waiter) {
      LockSupport.unpark(waiter);
    }
  }

  private static long saturatedMultiply(long value, int factor) {
    long product = value * factor;
    return product / factor == value ? product : Long.MAX_VALUE / 4;
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
    private final boolean inline;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = NEW;
    private volatile long launchNanos;
    private volatile long startNanos;
    private volatile String stage;
    private volatile AutoCloseable attachment;
    volatile Thread thread;
    private T value;
    private Throwable error;
    // An int, so that a slot costs no more memory than before: nanoseconds up to 2.1 s, beyond
    // that negated microseconds (see nanos()).
    private int took;

    Slot(Round<T> round, int index, Backend backend, Storage storage) {
      this.round = round;
      this.index = index;
      this.backend = backend;
      this.storage = storage;
      this.inline = storage != null && round.access.neverBlocks(storage);
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

    /** Returns the backend's instance this slot calls: outcomes are attributed to it. */
    Storage instance() {
      return storage;
    }

    /**
     * Returns whether this slot runs on the caller's thread: its backend declares that calls of the
     * round's {@link Access} never block, so no deadline is at risk.
     */
    boolean inline() {
      return inline;
    }

    /** Returns the round this slot belongs to. */
    Round<T> round() {
      return round;
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

    /** Returns what the call attached if it finished, or null if its thread may still use it. */
    AutoCloseable leftover() {
      return state() == DONE ? attachment : null;
    }

    /**
     * Runs the RAID's own code inside the call: whatever it throws is the RAID's (a bug, or the
     * caller's error), never the backend's.
     */
    <R> R own(Supplier<R> code) {
      try {
        return code.get();
      } catch (RuntimeException e) {
        throw new RaidSideException(e);
      }
    }

    int state() {
      return (int) STATE.getVolatile(this);
    }

    boolean casState(int expected, int next) {
      return STATE.compareAndSet(this, expected, next);
    }

    /** Returns whether the slot has ended one way or another (done or given up). */
    boolean finished() {
      int s = state();
      return s == DONE || s == ABANDONED || s == NOT_REACHED;
    }

    /** The end of this slot's own deadline; see the class comment of {@link Round}. */
    long deadline() {
      long reference = state() == NEW ? round.createdNanos : launchNanos;
      long cap = reference + round.capNanos;
      if (state() != CALLING) {
        return cap;
      }
      long own = startNanos + round.timeoutNanos;
      return own - cap > 0 ? cap : own;
    }

    /**
     * Marks the slot launched (its thread is about to start); false if it was already given up.
     * For fan-outs that start the thread themselves.
     */
    boolean launch() {
      launchNanos = System.nanoTime();
      return casState(NEW, LAUNCHED);
    }

    /** Launches the slot on a new thread of its backend. */
    void start() {
      if (launch()) {
        Thread created = round.threads.newThread(backend.threadName(), this);
        thread = created;
        created.start();
      }
    }

    /** Runs the slot on the calling thread (for a backend whose calls never block). */
    void runInline() {
      if (launch()) {
        run();
      }
    }

    @Override
    public void run() {
      Thread me = Thread.currentThread();
      thread = me;
      startNanos = System.nanoTime();
      if (!casState(LAUNCHED, CALLING)) {
        return; // given up before it could start
      }
      T result = null;
      Throwable failure = null;
      try {
        result = round.call.call(storage, this);
      } catch (Throwable t) {
        failure = t;
      }
      long elapsed = System.nanoTime() - startNanos;
      value = result;
      error = failure;
      took = elapsed <= Integer.MAX_VALUE ? (int) elapsed
          : (int) -Math.min(elapsed / 1000, Integer.MAX_VALUE);
      if (casState(CALLING, DONE)) {
        backend.stats().record(elapsed, Outcome.of(failure).blamesBackend());
        round.completed();
      } else {
        Closing.quietly(attachment, backend, "late result of " + round.operation);
        round.threads.ended(me);
      }
    }

    /** Returns how the call ended; only meaningful once the round is over. */
    Outcome outcome() {
      return switch (state()) {
        case DONE -> Outcome.of(error);
        case NOT_REACHED -> Outcome.NOT_REACHED;
        default -> Outcome.NO_RESPONSE;
      };
    }

    /**
     * Returns how long the call took if it finished in time (to the nanosecond up to 2.1 s, to the
     * microsecond beyond), the timeout if it was given up while calling, else 0; only meaningful
     * once the round is over.
     */
    long nanos() {
      return switch (state()) {
        case DONE -> took >= 0 ? took : -took * 1000L;
        case ABANDONED -> round.timeoutNanos;
        default -> 0;
      };
    }

    /** Returns the call's result if it finished in time, else null. */
    T value() {
      return state() == DONE ? value : null;
    }

    /**
     * Returns what the call threw, or null; for the RAID's own error, what the RAID's code threw
     * (unwrapped).
     */
    Throwable error() {
      if (state() != DONE) {
        return null;
      }
      return error instanceof RaidSideException own ? own.getCause() : error;
    }

    /** Returns the reason to give for this slot's outcome when it takes its backend out of service. */
    String failureReason() {
      return switch (outcome()) {
        case NO_RESPONSE -> "no response within " + Durations.format(round.timeout) + " in " + stage;
        case NOT_REACHED -> "not reached within " + Durations.format(
            Duration.ofNanos(round.capNanos)) + " in " + stage + " (the RAID was overloaded)";
        case IN_DOUBT -> "outcome unknown in " + stage + ": " + Durations.describe(error);
        default -> "error in " + stage + ": " + Durations.describe(error());
      };
    }
  }
}
