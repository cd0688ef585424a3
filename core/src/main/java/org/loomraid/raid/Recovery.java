package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one RECOVERING backend up to date and promotes it, on its own virtual thread; the
 * {@link RecoveryHandle} of that work. An explicit phase machine: each phase is a step that returns
 * the next phase (or a failure), cancellation is checked in one place, between steps, and nothing
 * uses exceptions to steer.
 *
 * <ol>
 *   <li>{@code OPENING}: open a fresh instance from the backend's opener (a new incarnation).</li>
 *   <li>{@code VERIFYING}: walk the target's transactions against an optimal source (tid, meta and
 *       data); a target that diverges or is ahead is refused, naming the first differing tid. With
 *       no optimal backend left, verify instead that the target holds everything the RAID
 *       acknowledged (its last committed tid), so an operator can bring a RAID that lost every
 *       backend back online.</li>
 *   <li>{@code COPYING}: copy what is missing with {@code restore}, in bounded batches, without the
 *       RAID commit lock; the optional rate limit waits between batches.</li>
 *   <li>{@code CATCHING_UP}: copy what writers committed meanwhile until the lag is small (by count
 *       and bytes); a catch-up that does not converge keeps copying outside the lock, and fails with
 *       a reason only when it makes no headway at all.</li>
 *   <li>{@code PROMOTING}: under the RAID commit lock copy the rest (one bounded batch, never rate
 *       limited; if more is left, let go of the lock and catch up again), align the OID counter and
 *       make the backend OPTIMAL, so no commit can fall in between.</li>
 * </ol>
 *
 * <p>Every call to the source or the target runs as a bounded step (one virtual thread, the call
 * timeout, a batch per step), so a hung backend fails the step instead of holding the recovery. A
 * source that fails or is slow is recovery's business: another optimal source takes over (after
 * verifying the target again against it), and a source is never taken out of service by a
 * recovery. A target that fails fails the recovery. What was copied stays, so a retry continues from
 * there. A recovery that ends without promoting always closes the instance it opened.
 *
 * <p>If the RAID packed while this backend was out of service, the target is packed to the RAID's
 * pack horizon before it is promoted, and verification accepts records the target lacks where the
 * source's pack already dropped them, so backends recovered from each other always compare equal.
 * A record the target holds and the source lacks is accepted only if the source holds a later
 * revision of that object (its pack dropped this one); any other extra record is a divergence.
 */
final class Recovery implements RecoveryHandle {

  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** The largest lag (in transactions) left for the final step under the commit lock. */
  static final int FINAL_STEP_MAX = 128;

  /** The most object data the final step copies under the commit lock. */
  static final long FINAL_STEP_BYTES = 4L * 1024 * 1024;

  private static final int BATCH_RECORDS = 512;
  private static final long BATCH_BYTES = 4L * 1024 * 1024;
  private static final int MAX_PROMOTION_TRIES = 8;
  private static final int MAX_ROUNDS_WITHOUT_HEADWAY = 64;

  /** The side of a step's call: whose failure it is. */
  private enum Side { SOURCE, TARGET }

  /** What a phase's step decided: the next phase, or the reason the recovery failed. */
  private record Step(RecoveryPhase next, String failure) {
    static Step to(RecoveryPhase next) {
      return new Step(next, null);
    }

    static Step fail(String reason) {
      return new Step(RecoveryPhase.FAILED, reason);
    }
  }

  /** The result of one bounded call: its value, or what went wrong and on which side. */
  private record Result<T>(T value, Side side, String failure) {
    boolean ok() {
      return failure == null;
    }
  }

  /** A call made in a bounded step. */
  @FunctionalInterface
  private interface StepCall<T> {
    T call(Round.Slot<T> slot) throws Exception;
  }

  private final Engine engine;
  private final Backend backend;
  private final long startNanos = System.nanoTime();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicLong transactionsCopied = new AtomicLong();
  private final AtomicLong bytesCopied = new AtomicLong();
  /** Makes the last check for a cancel and the promotion one atomic step against cancel(). */
  private final ReentrantLock promotion = new ReentrantLock();
  private volatile RecoveryPhase phase = RecoveryPhase.OPENING;
  private volatile long transactionsTotal;
  private volatile long bytesTotal;
  private volatile long endNanos;
  private volatile String failure = "";
  private volatile String cancelReason;
  private volatile boolean promoted;
  private volatile Thread thread;
  private volatile Tid targetLast = Tid.NONE;
  private volatile long targetCount;

  // Used by the recovery thread only.
  private Storage target;
  private Backend source;
  private final Set<Backend> failedSources = new HashSet<>();
  private String lastSourceFailure = "";
  private boolean packedToHorizon;
  private int promotionTries;
  private long bestLag = Long.MAX_VALUE;
  private int roundsWithoutHeadway;

  private Recovery(Engine engine, Backend backend) {
    this.engine = engine;
    this.backend = backend;
  }

  /** Starts recovering {@code backend}, which the caller has already made RECOVERING. */
  static Recovery start(Engine engine, Backend backend) {
    Recovery recovery = new Recovery(engine, backend);
    backend.recovery(recovery);
    recovery.thread = engine.threads().start(
        engine.threads().threadName(backend.name() + "-recovery"), recovery::run);
    return recovery;
  }

  // ---------------------------------------------------------------------------------------------
  // RecoveryHandle

  @Override
  public String backend() {
    return backend.name();
  }

  @Override
  public RecoveryProgress progress() {
    long end = endNanos;
    long elapsed = (end == 0 ? System.nanoTime() : end) - startNanos;
    long bytes = bytesCopied.get();
    double rate = elapsed <= 0 ? 0 : bytes / (elapsed / 1e9);
    long copied = transactionsCopied.get();
    return new RecoveryProgress(backend.name(), phase, copied,
        Math.max(copied, transactionsTotal), bytes, Math.max(bytes, bytesTotal),
        Duration.ofNanos(elapsed), rate, failure);
  }

  @Override
  public boolean isDone() {
    return done.getCount() == 0;
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void cancel() {
    cancel("recovery cancelled");
  }

  /**
   * Cancels with {@code reason} as the backend's degradation reason; see {@link #cancel()}. Takes
   * effect at the next step boundary, including while the final step waits for the commit lock;
   * once the backend has been promoted, it does nothing.
   */
  void cancel(String reason) {
    promotion.lock();
    try {
      if (isDone() || promoted || cancelReason != null) {
        return;
      }
      cancelReason = reason;
    } finally {
      promotion.unlock();
    }
    Thread running = thread;
    if (running != null) {
      running.interrupt();
    }
  }

  @Override
  public String toString() {
    return "Recovery[" + backend.name() + ", " + phase + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // The phase machine

  private void run() {
    boolean maintenance = false;
    RecoveryPhase current = RecoveryPhase.OPENING;
    RecoveryPhase reported = null;
    String reason = "";
    try {
      try {
        engine.maintenance().readLock().lockInterruptibly();
        maintenance = true;
      } catch (InterruptedException e) {
        // cancelled while a pack ran: the loop below sees the cancel
      }
      log.info("RAID '{}': recovering backend '{}'", engine.name(), backend.name());
      while (!current.isFinal()) {
        String cancelled = cancelReason;
        if (cancelled != null || !maintenance) {
          current = RecoveryPhase.CANCELLED;
          reason = cancelled != null ? cancelled : "recovery cancelled";
          break;
        }
        phase = current;
        if (current != reported) {
          reported = current;
          Telemetry.recovery(engine.name(), this);
        }
        Step step = switch (current) {
          case OPENING -> open();
          case VERIFYING -> verify();
          case COPYING -> copy(RecoveryPhase.CATCHING_UP);
          case CATCHING_UP -> catchUp();
          case PROMOTING -> promote();
          default -> throw new IllegalStateException("not a working phase: " + current);
        };
        Thread.interrupted(); // a cancel's interrupt has done its work: it woke the step
        if (cancelReason != null && step.next() != RecoveryPhase.DONE) {
          continue; // whatever the step met on its way out, the cancel is the reason
        }
        if (step.failure() != null) {
          reason = "recovery failed in " + current.name().toLowerCase(Locale.ROOT) + ": "
              + step.failure();
        }
        current = step.next();
      }
    } catch (RuntimeException | Error e) {
      current = RecoveryPhase.FAILED;
      reason = "recovery failed in " + phase.name().toLowerCase(Locale.ROOT) + ": "
          + Durations.describe(e);
      if (e instanceof VirtualMachineError error) {
        end(current, reason, maintenance);
        throw error;
      }
    }
    end(current, reason, maintenance);
  }

  /** Ends the recovery in {@code last}: publishes a promotion, or degrades and closes the target. */
  private void end(RecoveryPhase last, String reason, boolean maintenance) {
    try {
      if (last == RecoveryPhase.DONE) {
        RecoveryProgress p = progress();
        log.info("RAID '{}': backend '{}' recovered: {} transactions, {} bytes copied in {}",
            engine.name(), backend.name(), p.transactionsCopied(), p.bytesCopied(),
            Durations.format(p.elapsed()));
      } else {
        failure = reason;
        Thread.interrupted();
        engine.supervisor().recoveryEnded(backend, reason);
        if (target != null) {
          engine.supervisor().closeInBackground(backend, target); // also when the RAID closed
        }
      }
    } finally {
      if (maintenance) {
        engine.maintenance().readLock().unlock();
      }
      endNanos = System.nanoTime();
      phase = last;
      Telemetry.recovery(engine.name(), this);
      done.countDown();
    }
  }

  /**
   * Opens a fresh instance of the backend, under the open deadline, once the previous instance
   * has been closed (a storage may refuse a second open of the same data while one is open).
   */
  private Step open() {
    Thread closing = backend.closing();
    if (closing != null) {
      try {
        if (!closing.join(engine.settings().callTimeout())) {
          log.warn("RAID '{}': the previous instance of backend '{}' is still closing; opening"
              + " anyway", engine.name(), backend.name());
        }
      } catch (InterruptedException e) {
        return Step.to(RecoveryPhase.OPENING); // a cancel: the loop sees it
      }
    }
    Result<Storage> opened = step(backend, backend.storage(), Side.TARGET, "open",
        engine.settings().openTimeout(), slot -> {
          Storage instance = backend.opener().open();
          if (instance == null) {
            throw new IllegalStateException("the opener returned null");
          }
          slot.attach(instance);
          return instance;
        });
    if (!opened.ok()) {
      return cancelReason != null ? Step.to(RecoveryPhase.OPENING) : Step.fail(opened.failure());
    }
    target = opened.value();
    backend.storage(target);
    return Step.to(RecoveryPhase.VERIFYING);
  }

  /**
   * Verifies the target against an optimal source (or, with none left, against what the RAID
   * acknowledged), leaving {@link #targetLast} and {@link #targetCount} at the target's end.
   */
  private Step verify() {
    List<Backend> optimal = engine.roster().optimal();
    if (optimal.isEmpty()) {
      return verifyAgainstTheRaid();
    }
    source = chooseSource(optimal);
    if (source == null) {
      return Step.fail("no optimal backend could be read as a source (last: " + lastSourceFailure
          + ")");
    }
    Storage from = source.storage();
    Result<TransactionIterator> mineOpened = targetStep("transactions",
        slot -> target.transactions(Tid.NONE));
    if (!mineOpened.ok()) {
      return Step.fail(mineOpened.failure());
    }
    TransactionIterator mine = mineOpened.value();
    Result<TransactionIterator> theirsOpened = sourceStep(from, "transactions",
        slot -> from.transactions(Tid.NONE));
    if (!theirsOpened.ok()) {
      Closing.quietly(mine, backend, "verification");
      return sourceFailed(theirsOpened);
    }
    TransactionIterator theirs = theirsOpened.value();
    try {
      Tid last = Tid.NONE;
      long count = 0;
      while (true) {
        Tid walkedTo = last;
        Result<Walked> walked = step(backend, target, Side.TARGET, "verify",
            engine.settings().callTimeout(), slot -> walk(mine, theirs, walkedTo, slot));
        if (!walked.ok()) {
          return walked.side() == Side.SOURCE ? sourceFailed(walked) : Step.fail(walked.failure());
        }
        Walked w = walked.value();
        if (w.difference() != null) {
          return Step.fail("refused: " + w.difference());
        }
        last = w.last();
        count += w.count();
        if (w.ended()) {
          break;
        }
        if (cancelReason != null) {
          return Step.to(RecoveryPhase.VERIFYING);
        }
      }
      targetLast = last;
      targetCount = count;
      backend.position(last, count);
      estimateTotals(from);
      return Step.to(RecoveryPhase.COPYING);
    } finally {
      Closing.quietly(mine, backend, "verification");
      Closing.quietly(theirs, source, "verification");
    }
  }

  /** Returns the first optimal source (in configuration order) that has not failed this cycle. */
  private Backend chooseSource(List<Backend> optimal) {
    for (Backend candidate : optimal) {
      if (!failedSources.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** A source failed or was too slow: try another one, verifying the target again against it. */
  private Step sourceFailed(Result<?> result) {
    failedSources.add(source);
    lastSourceFailure = result.failure();
    log.info("RAID '{}': recovery of '{}' leaves source '{}': {}", engine.name(), backend.name(),
        source.name(), result.failure());
    return Step.to(RecoveryPhase.VERIFYING);
  }

  /**
   * With no optimal backend left: accepts the target if it holds everything the RAID acknowledged
   * (its last tid is the RAID's last committed tid, or a later tid the RAID chose whose commit was
   * in doubt), with as many transactions as the RAID holds.
   */
  private Step verifyAgainstTheRaid() {
    source = null;
    CommitGate gate = engine.gate();
    Tid acknowledged = gate.lastCommitted();
    Result<Tid> last = targetStep("lastTransaction", slot -> target.lastTransaction());
    if (!last.ok()) {
      return Step.fail(last.failure());
    }
    Tid found = last.value();
    if (found.isBefore(acknowledged)) {
      return Step.fail("refused: no optimal backend is left to copy from, and backend '"
          + backend.name() + "' lacks acknowledged transactions: its last is " + found
          + ", the RAID acknowledged " + acknowledged);
    }
    if (found.isAfter(gate.highestChosen())) {
      return Step.fail("refused: backend '" + backend.name() + "' holds " + found
          + ", a tid this RAID never chose");
    }
    if (!acknowledged.isNone()) {
      Tid before = Tid.of(acknowledged.value() - 1);
      Result<Boolean> holds = targetStep("transactions", slot -> {
        try (TransactionIterator it = target.transactions(before)) {
          return it.hasNext() && it.next().tid().equals(acknowledged);
        }
      });
      if (!holds.ok()) {
        return Step.fail(holds.failure());
      }
      if (!holds.value()) {
        return Step.fail("refused: backend '" + backend.name() + "' does not hold the RAID's"
            + " last acknowledged transaction " + acknowledged);
      }
    }
    Result<Long> count = targetStep("stats", slot -> target.stats().transactions());
    if (!count.ok()) {
      return Step.fail(count.failure());
    }
    // Beyond the acknowledged tid the target may hold commits that were in doubt (tids the RAID
    // chose, checked above): up to and including it, it must hold exactly what the RAID holds.
    Result<Long> beyond = targetStep("transactions", slot -> {
      long n = 0;
      try (TransactionIterator it = target.transactions(acknowledged)) {
        while (it.hasNext()) {
          it.next();
          n++;
        }
      }
      return n;
    });
    if (!beyond.ok()) {
      return Step.fail(beyond.failure());
    }
    long upToAcknowledged = count.value() - beyond.value();
    if (upToAcknowledged != gate.committedCount()) {
      return Step.fail("refused: backend '" + backend.name() + "' holds " + upToAcknowledged
          + " transactions up to " + acknowledged + " where the RAID holds "
          + gate.committedCount());
    }
    targetLast = found;
    targetCount = count.value();
    backend.position(found, count.value());
    log.warn("RAID '{}': no optimal backend left; backend '{}' holds everything the RAID"
        + " acknowledged (up to {}), so it is brought back without a source", engine.name(),
        backend.name(), acknowledged);
    return Step.to(RecoveryPhase.PROMOTING);
  }

  /** One batch of verification: how far it got, and the first difference if any. */
  private record Walked(long count, Tid last, boolean ended, String difference) {}

  private Walked walk(TransactionIterator mine, TransactionIterator theirs, Tid from,
      Round.Slot<?> slot) {
    Tid last = from;
    Tid horizon = engine.gate().packHorizon();
    for (int i = 0; i < BATCH_RECORDS; i++) {
      if (cancelReason != null) {
        return new Walked(i, last, false, null);
      }
      slot.stage("target");
      if (!mine.hasNext()) {
        return new Walked(i, last, true, null);
      }
      TransactionRecord record = mine.next();
      slot.stage("source");
      if (!theirs.hasNext()) {
        return new Walked(i, last, true, "backend '" + backend.name() + "' is ahead of '"
            + source.name() + "': it has " + record.tid() + ", which the source does not");
      }
      TransactionRecord expected = theirs.next();
      slot.stage("target");
      String difference = RecordComparison.difference(record, expected,
          (oid, serial) -> droppedByPack(oid, serial, horizon),
          (oid, serial) -> {
            slot.stage("source");
            boolean superseded = supersededOnSource(oid, serial);
            slot.stage("target");
            return superseded;
          });
      if (difference != null) {
        return new Walked(i, last, true, "backend '" + backend.name() + "' diverges from '"
            + source.name() + "' at " + difference);
      }
      last = record.tid();
    }
    return new Walked(BATCH_RECORDS, last, false, null);
  }

  /**
   * Returns whether the revision of {@code oid} written at {@code serial}, which the target lacks,
   * is one a pack to the RAID's horizon drops: a later revision of the object was current by then.
   */
  private boolean droppedByPack(Oid oid, Tid serial, Tid horizon) {
    if (!serial.isBefore(horizon)) {
      return false;
    }
    Revision current = target.loadBefore(oid, horizon).orElse(null);
    return current != null && current.serial().isAfter(serial);
  }

  /**
   * Returns whether the source holds a later revision of {@code oid} than the one written at
   * {@code serial}, which the target holds and the source lacks: the source's pack may have dropped
   * it. A record of an object the source never superseded is a divergence.
   */
  private boolean supersededOnSource(Oid oid, Tid serial) {
    try {
      return source.storage().load(oid).serial().isAfter(serial);
    } catch (ObjectNotFoundException e) {
      return false;
    }
  }

  /** Estimates what is left to copy from the RAID's transaction count and the sizes. */
  private void estimateTotals(Storage from) {
    long behind = Math.max(0, engine.gate().committedCount() - targetCount);
    transactionsTotal = transactionsCopied.get() + behind;
    Result<Long> sourceBytes = sourceStep(from, "stats", slot -> from.stats().bytes());
    Result<Long> targetBytes = targetStep("stats", slot -> target.stats().bytes());
    if (sourceBytes.ok() && targetBytes.ok()) {
      bytesTotal = bytesCopied.get() + Math.max(0, sourceBytes.value() - targetBytes.value());
    }
  }

  /**
   * Copies from the source everything after {@link #targetLast}, in bounded batches with the rate
   * limit between them, then goes to {@code next}. A source that fails sends the recovery back to
   * verification against another source; the copied part stays.
   */
  private Step copy(RecoveryPhase next) {
    Result<Boolean> copied = copyFromSource(null, true, Long.MAX_VALUE);
    if (!copied.ok()) {
      return copied.side() == Side.SOURCE ? sourceFailed(copied) : Step.fail(copied.failure());
    }
    if (cancelReason != null) {
      return Step.to(phase);
    }
    Tid horizon = engine.gate().packHorizon();
    if (!packedToHorizon && !horizon.isNone()) {
      Result<Object> packed = step(backend, target, Side.TARGET, "pack",
          engine.settings().packTimeout(), slot -> {
            target.pack(horizon);
            return Verdict.SUCCESS;
          });
      if (!packed.ok()) {
        return Step.fail(packed.failure());
      }
      packedToHorizon = true;
    }
    return Step.to(next);
  }

  /** Copies what writers committed meanwhile until what is left is small. */
  private Step catchUp() {
    long lag = engine.gate().committedCount() - targetCount;
    transactionsTotal = transactionsCopied.get() + Math.max(0, lag);
    if (lag <= FINAL_STEP_MAX) {
      return Step.to(RecoveryPhase.PROMOTING);
    }
    if (lag < bestLag) {
      bestLag = lag;
      roundsWithoutHeadway = 0;
    } else if (++roundsWithoutHeadway >= MAX_ROUNDS_WITHOUT_HEADWAY) {
      return Step.fail("cannot catch up: after " + roundsWithoutHeadway + " rounds the backend is"
          + " still " + lag + " transactions behind (writers commit faster than it copies)");
    }
    return copy(RecoveryPhase.CATCHING_UP);
  }

  /**
   * Copies batches after {@link #targetLast}, up to {@code upTo} if not null, at most
   * {@code maxBytes} in all (a batch ends after the record that reaches it).
   *
   * @return true if everything up to the end was copied, false if the bounds stopped it first
   */
  private Result<Boolean> copyFromSource(Tid upTo, boolean rateLimited, long maxBytes) {
    Storage from = source.storage();
    Tid after = targetLast;
    Result<TransactionIterator> opened = sourceStep(from, "transactions",
        slot -> from.transactions(after));
    if (!opened.ok()) {
      return new Result<>(null, opened.side(), opened.failure());
    }
    TransactionIterator history = opened.value();
    long budget = maxBytes;
    try {
      long rateStart = System.nanoTime();
      long rateBytes = bytesCopied.get();
      while (true) {
        long left = budget;
        Result<Copied> batch = step(backend, target, Side.TARGET, "copy",
            engine.settings().callTimeout(), slot -> copyBatch(history, upTo, left, slot));
        if (!batch.ok()) {
          return new Result<>(null, batch.side(), batch.failure());
        }
        Copied copied = batch.value();
        Telemetry.recovery(engine.name(), this);
        budget -= copied.bytes();
        if (!copied.more()) {
          return new Result<>(true, null, null);
        }
        if (budget <= 0) {
          return new Result<>(false, null, null);
        }
        if (cancelReason != null) {
          return new Result<>(false, null, null);
        }
        if (rateLimited) {
          limitRate(rateStart, bytesCopied.get() - rateBytes);
        }
      }
    } finally {
      Closing.quietly(history, source, "copying");
    }
  }

  /** What one batch copied, and whether there may be more. */
  private record Copied(long count, long bytes, boolean more) {}

  /**
   * Copies up to one batch (by count, bytes, and half the call timeout), counting every record as
   * it lands. Stops before a restore once the recovery has given up on this step, so that a late
   * thread never writes behind the recovery.
   */
  private Copied copyBatch(TransactionIterator history, Tid upTo, long budget,
      Round.Slot<?> slot) {
    long count = 0;
    long bytes = 0;
    long deadline = System.nanoTime() + engine.settings().callTimeout().toNanos() / 2;
    long maxBytes = Math.min(batchBytes(), budget);
    while (count < BATCH_RECORDS && bytes < maxBytes) {
      if (cancelReason != null) {
        return new Copied(count, bytes, true);
      }
      slot.stage("source");
      if (!history.hasNext()) {
        return new Copied(count, bytes, false);
      }
      TransactionRecord record = history.next();
      if (upTo != null && record.tid().isAfter(upTo)) {
        return new Copied(count, bytes, false);
      }
      if (slot.state() != Round.CALLING) {
        return new Copied(count, bytes, false);
      }
      slot.stage("target");
      target.restore(record);
      targetLast = record.tid();
      targetCount++;
      backend.position(record.tid(), targetCount);
      transactionsCopied.incrementAndGet();
      bytesCopied.addAndGet(record.dataLength());
      count++;
      bytes += record.dataLength();
      if (System.nanoTime() - deadline > 0) {
        break;
      }
    }
    return new Copied(count, bytes, true);
  }

  private long batchBytes() {
    return RateLimit.batchBytes(engine.settings().recoveryRateLimit(), BATCH_BYTES);
  }

  /**
   * Waits as long as needed to keep the copy rate at or below the configured limit; never under
   * the commit lock (only copying and catching up are rate limited). A cancel cuts the wait short.
   */
  private void limitRate(long startNanos, long bytes) {
    RateLimit.await(engine.settings().recoveryRateLimit(), startNanos, bytes,
        () -> cancelReason != null, this);
  }

  /**
   * One attempt at the final step: under the RAID commit lock, copy the rest (if it is small),
   * align the OID counter and promote. A busy lock, a lag that grew meanwhile, or a copy the bounds
   * cut short lets go of the lock and catches up again; too many busy attempts fail the recovery.
   */
  private Step promote() {
    if (source != null && source.state() != BackendState.OPTIMAL) {
      return Step.to(RecoveryPhase.VERIFYING);
    }
    Lifecycle lifecycle = engine.lifecycle();
    try {
      lifecycle.enterPhase();
    } catch (RaidClosedException e) {
      return Step.fail("the RAID closed");
    }
    try {
      CommitGate gate = engine.gate();
      switch (gate.tryAcquire("the promotion of backend '" + backend.name() + "'")) {
        case ACQUIRED -> { }
        case INTERRUPTED -> {
          return Step.to(RecoveryPhase.PROMOTING); // a cancel: the loop sees it
        }
        case TIMED_OUT -> {
          if (++promotionTries >= MAX_PROMOTION_TRIES) {
            return Step.fail("could not promote in " + promotionTries + " attempts: the RAID commit"
                + " lock was busy for " + Durations.format(engine.settings().commitLockTimeout())
                + " each time");
          }
          return Step.to(RecoveryPhase.CATCHING_UP);
        }
      }
      long lockedAt = System.nanoTime();
      try {
        return promoteUnderLock(lockedAt);
      } finally {
        gate.release();
      }
    } finally {
      lifecycle.exitPhase();
    }
  }

  private Step promoteUnderLock(long lockedAt) {
    if (cancelReason != null) {
      return Step.to(RecoveryPhase.PROMOTING);
    }
    CommitGate gate = engine.gate();
    try {
      CommitPoint.resolvePending(engine);
    } catch (RaidOverloadedException e) {
      return Step.to(RecoveryPhase.CATCHING_UP);
    }
    Tid last = gate.lastCommitted();
    if (source != null) {
      if (engine.gate().committedCount() - targetCount > FINAL_STEP_MAX) {
        return Step.to(RecoveryPhase.CATCHING_UP);
      }
      Result<Boolean> copied = copyFromSource(last, false, FINAL_STEP_BYTES);
      if (!copied.ok()) {
        return copied.side() == Side.SOURCE ? sourceFailed(copied) : Step.fail(copied.failure());
      }
      if (!copied.value()) {
        return Step.to(RecoveryPhase.CATCHING_UP);
      }
    }
    Result<Tid> reached = targetStep("lastTransaction", slot -> target.lastTransaction());
    if (!reached.ok()) {
      return Step.fail(reached.failure());
    }
    Tid end = reached.value();
    if (source != null ? !end.equals(last)
        : end.isBefore(last) || end.isAfter(gate.highestChosen())) {
      return Step.fail("after the final copy backend '" + backend.name() + "' is at " + end
          + ", the RAID at " + last);
    }
    OidAllocator oids = engine.oids();
    oids.lock();
    BackendTransition transition;
    try {
      Step aligned = alignOids(oids);
      if (aligned != null) {
        return aligned;
      }
      promotion.lock();
      try {
        if (cancelReason != null) {
          return Step.to(RecoveryPhase.PROMOTING);
        }
        phase = RecoveryPhase.DONE; // before the backend shows OPTIMAL, so no reader sees both
        transition = engine.roster().transition(backend, BackendState.OPTIMAL, "recovered",
            BackendState.RECOVERING);
        if (transition == null) {
          phase = RecoveryPhase.PROMOTING;
          return Step.fail("backend '" + backend.name() + "' is no longer RECOVERING but "
              + backend.state());
        }
        promoted = true;
      } finally {
        promotion.unlock();
      }
      if (end.isAfter(last)) {
        // What was in doubt and this backend holds is the RAID's history now.
        gate.adopt(end, targetCount);
      }
      backend.position(end, gate.committedCount());
    } finally {
      oids.unlock();
    }
    log.info("RAID '{}': backend '{}' promoted; the commit lock was held for {}", engine.name(),
        backend.name(), Durations.format(Duration.ofNanos(System.nanoTime() - lockedAt)));
    engine.supervisor().publish(transition);
    engine.supervisor().checkRestored();
    return Step.to(RecoveryPhase.DONE);
  }

  /**
   * Brings the target's OID counter in step with the optimal backends: whichever is behind is
   * advanced to the other. Returns null when done, or the step to take instead.
   */
  private Step alignOids(OidAllocator oids) {
    Result<Oid> fromTarget = targetStep("newOid", slot -> target.newOid());
    if (!fromTarget.ok()) {
      return Step.fail(fromTarget.failure());
    }
    long allocated = fromTarget.value().value();
    long high = oids.highWater();
    if (allocated > high) {
      oids.advance(engine.roster().optimal(), allocated);
      oids.raise(allocated);
      return null;
    }
    Oid through = Oid.of(high);
    Result<Object> reserved = targetStep("reserveOids", slot -> {
      target.reserveOids(through);
      return Verdict.SUCCESS;
    });
    return reserved.ok() ? null : Step.fail(reserved.failure());
  }

  // ---------------------------------------------------------------------------------------------
  // Bounded steps

  private <T> Result<T> targetStep(String operation, StepCall<T> call) {
    return step(backend, target, Side.TARGET, operation, engine.settings().callTimeout(), call);
  }

  private <T> Result<T> sourceStep(Storage from, String operation, StepCall<T> call) {
    return step(source, from, Side.SOURCE, operation, engine.settings().callTimeout(), call);
  }

  /**
   * Runs {@code call} on one virtual thread (named for {@code on}) under {@code timeout}; a cancel
   * cuts the wait short. The call names the side it is working on as the slot's stage
   * ({@code "source"} or {@code "target"}; {@code side} until it says otherwise). An abandoned step
   * that was writing to the target is waited for (one more timeout), so that nothing lands on the
   * target behind the recovery's back.
   */
  private <T> Result<T> step(Backend on, Storage instance, Side side, String operation,
      Duration timeout, StepCall<T> call) {
    String initial = side == Side.SOURCE ? "source" : "target";
    Round<T> round = new Round<>(engine.threads(), operation, List.of(on), singleton(instance),
        timeout, Round.Kind.QUERY, false, (ignored, slot) -> {
          slot.stage(initial);
          return call.call(slot);
        });
    Round.Slot<T> slot = round.slots()[0];
    slot.start();
    round.awaitAll(() -> cancelReason != null);
    round.abandonUnfinished(true);
    Outcome outcome = slot.outcome();
    if (outcome == Outcome.SUCCESS) {
      return new Result<>(slot.value(), null, null);
    }
    if (outcome == Outcome.FATAL) {
      throw (VirtualMachineError) slot.error();
    }
    Side failed = slot.stage().equals("source") ? Side.SOURCE : Side.TARGET;
    if (!outcome.finished() && failed == Side.TARGET && operation.equals("copy")) {
      Thread late = slot.thread;
      try {
        if (late != null && !late.join(timeout)) {
          return new Result<>(null, Side.TARGET, "copy on backend '" + backend.name()
              + "': no response within " + Durations.format(timeout) + ", and it did not stop");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String where = failed == Side.SOURCE ? "source '" + source.name() + "'"
        : "backend '" + backend.name() + "'";
    String what = cancelReason != null && !outcome.finished() ? "cancelled"
        : outcome.finished() ? Durations.describe(slot.error())
        : "no response within " + Durations.format(timeout);
    return new Result<>(null, failed, operation + " on " + where + ": " + what);
  }

  private static List<Storage> singleton(Storage instance) {
    List<Storage> one = new ArrayList<>(1);
    one.add(instance);
    return one;
  }
}
