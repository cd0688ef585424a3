package org.loomraid.raid;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one RECOVERING backend up to date and promotes it, on its own virtual thread; the
 * {@link RecoveryHandle} of that work.
 *
 * <ol>
 *   <li>Open a fresh instance from the backend's opener.</li>
 *   <li>Verify: walk the target's transactions against an optimal source (tid, meta and data); a
 *       target that diverges or is ahead is refused, naming the first differing tid.</li>
 *   <li>Copy what is missing with {@code restore}, in batches, without the RAID commit lock.</li>
 *   <li>Catch up with what writers committed meanwhile until the lag is small.</li>
 *   <li>Promote: under the RAID commit lock copy the rest, align the OID counter and make the
 *       backend OPTIMAL, so no commit can fall in between.</li>
 * </ol>
 *
 * <p>Every call to the source or the target runs in a bounded step (one virtual thread, the call
 * timeout), a batch of records per step, so a hung backend fails the step instead of holding the
 * recovery. A source that fails is degraded and another optimal source takes over (verifying the
 * target again against it); anything else leaves the target DEGRADED with the reason. What was
 * copied stays, so a retry continues from there.
 */
final class Recovery implements RecoveryHandle {

  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** The largest lag (in transactions) left for the final step under the commit lock. */
  static final int FINAL_STEP_MAX = 128;

  private static final int MAX_CATCH_UP_ROUNDS = 32;
  private static final int BATCH_RECORDS = 512;
  private static final long BATCH_BYTES = 4L * 1024 * 1024;
  private static final int MAX_PROMOTION_TRIES = 3;

  /** The recovery cannot go on; the message becomes the degradation reason. */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** A source backend failed in a step; another source may take over. */
  private static final class SourceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceFailure() {
      super(null, null, false, false);
    }
  }

  private final RaidStorage raid;
  private final Backend backend;
  private final long startNanos = System.nanoTime();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicLong transactionsCopied = new AtomicLong();
  private final AtomicLong bytesCopied = new AtomicLong();
  private volatile RecoveryPhase phase = RecoveryPhase.OPENING;
  private volatile long transactionsTotal;
  private volatile long bytesTotal;
  private volatile long endNanos;
  private volatile String failure = "";
  private volatile String cancelReason;
  private volatile boolean promoting;
  private volatile Thread thread;

  // Used by the recovery thread only.
  private Storage target;
  private Backend source;
  private Tid targetLast = Tid.NONE;
  private long targetCount;
  private long rateStartNanos;
  private long rateStartBytes;

  private Recovery(RaidStorage raid, Backend backend) {
    this.raid = raid;
    this.backend = backend;
  }

  /** Starts recovering {@code backend}, which the caller has already made RECOVERING. */
  static Recovery start(RaidStorage raid, Backend backend) {
    Recovery recovery = new Recovery(raid, backend);
    backend.recovery(recovery);
    recovery.thread = raid.threads().start(
        raid.threads().threadName(backend.name() + "-recovery"), recovery::run);
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

  /** Cancels with {@code reason} as the backend's degradation reason; see {@link #cancel()}. */
  void cancel(String reason) {
    if (isDone() || promoting) {
      return;
    }
    cancelReason = reason;
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
  // The recovery thread

  private void run() {
    boolean maintenance = false;
    try {
      raid.maintenance().readLock().lockInterruptibly();
      maintenance = true;
      log.info("RAID '{}': recovering backend '{}'", raid.name(), backend.name());
      open();
      verify();
      phase = RecoveryPhase.COPYING;
      copy(null);
      catchUp();
      promote();
      finish(RecoveryPhase.DONE, "");
      RecoveryProgress p = progress();
      log.info("RAID '{}': backend '{}' recovered: {} transactions, {} bytes copied in {}",
          raid.name(), backend.name(), p.transactionsCopied(), p.bytesCopied(),
          Durations.format(p.elapsed()));
    } catch (RuntimeException | Error | InterruptedException e) {
      end(e);
    } finally {
      if (maintenance) {
        raid.maintenance().readLock().unlock();
      }
      if (endNanos == 0) {
        endNanos = System.nanoTime();
      }
      done.countDown();
    }
  }

  private void end(Throwable e) {
    String reason;
    RecoveryPhase last;
    String cancelled = cancelReason;
    if (cancelled != null && !promoting) {
      last = RecoveryPhase.CANCELLED;
      reason = cancelled;
    } else if (e instanceof Failure f) {
      last = RecoveryPhase.FAILED;
      reason = "recovery failed in " + phase.name().toLowerCase(Locale.ROOT) + ": " + f.getMessage();
    } else {
      last = RecoveryPhase.FAILED;
      reason = "recovery failed in " + phase.name().toLowerCase(Locale.ROOT) + ": " + Durations.describe(e);
    }
    finish(last, reason);
    Thread.interrupted();
    raid.supervisor().degrade(backend, reason);
    if (e instanceof VirtualMachineError error) {
      throw error;
    }
  }

  private void finish(RecoveryPhase last, String reason) {
    failure = reason;
    endNanos = System.nanoTime();
    phase = last;
  }

  private void checkCancelled() {
    if (cancelReason != null && !promoting) {
      throw new Failure(cancelReason);
    }
  }

  /**
   * Opens a fresh instance of the backend, under the open deadline, once the previous instance
   * has been closed (a storage may refuse a second open of the same data while one is open).
   */
  private void open() throws InterruptedException {
    phase = RecoveryPhase.OPENING;
    Thread closing = backend.closing();
    if (closing != null && !closing.join(raid.settings().callTimeout())) {
      log.warn("RAID '{}': the previous instance of backend '{}' is still closing; opening anyway",
          raid.name(), backend.name());
    }
    Round<Storage> round = new Round<>(raid.threads(), "open", List.of(backend),
        raid.settings().openTimeout(), (ignored, slot) -> {
          Storage opened = backend.opener().open();
          if (opened == null) {
            throw new IllegalStateException("the opener returned null");
          }
          slot.attach(opened);
          return opened;
        });
    raid.direct().execute(round);
    Round.Slot<Storage> slot = round.slots()[0];
    if (slot.outcome() != Round.Outcome.SUCCESS) {
      Closing.quietly(RaidStorage.leftover(slot), backend, "a failed open");
      throw new Failure(slot.failureReason());
    }
    target = slot.value();
    backend.storage(target);
    checkCancelled();
  }

  /**
   * Verifies the target against a source, switching sources (and starting over) when one fails.
   * Leaves {@link #targetLast} at the target's last transaction.
   */
  private void verify() {
    while (true) {
      phase = RecoveryPhase.VERIFYING;
      source = chooseSource();
      try {
        verifyAgainstSource();
        return;
      } catch (SourceFailure e) {
        checkCancelled();
      }
    }
  }

  private void verifyAgainstSource() {
    TransactionIterator targetHistory = null;
    TransactionIterator sourceHistory = null;
    try {
      targetHistory = step("target", "transactions", slot -> target.transactions(Tid.NONE));
      sourceHistory = sourceStep("transactions", storage -> storage.transactions(Tid.NONE));
      TransactionIterator mine = targetHistory;
      TransactionIterator theirs = sourceHistory;
      Tid last = Tid.NONE;
      long count = 0;
      while (true) {
        Tid from = last;
        Walked walked = step("target", "verify", slot -> walk(mine, theirs, from, slot));
        if (walked.difference() != null) {
          throw new Failure("refused: " + walked.difference());
        }
        last = walked.last();
        count += walked.count();
        if (walked.ended()) {
          break;
        }
        checkCancelled();
      }
      targetLast = last;
      targetCount = count;
      backend.position(last, count);
      estimateTotals();
    } finally {
      Closing.quietly(targetHistory, backend, "verification");
      Closing.quietly(sourceHistory, source, "verification");
    }
  }

  /** One batch of verification: how far it got, and the first difference if any. */
  private record Walked(long count, Tid last, boolean ended, String difference) {}

  private Walked walk(TransactionIterator targetHistory, TransactionIterator sourceHistory,
      Tid from, Round.Slot<?> slot) {
    Tid last = from;
    for (int i = 0; i < BATCH_RECORDS; i++) {
      if (cancelReason != null) {
        return new Walked(i, last, false, null);
      }
      slot.stage("target");
      if (!targetHistory.hasNext()) {
        return new Walked(i, last, true, null);
      }
      TransactionRecord mine = targetHistory.next();
      slot.stage("source");
      if (!sourceHistory.hasNext()) {
        return new Walked(i, last, true, "backend '" + backend.name() + "' is ahead of '"
            + source.name() + "': it has " + mine.tid() + ", which the source does not");
      }
      String difference = RecordComparison.difference(mine, sourceHistory.next());
      if (difference != null) {
        return new Walked(i, last, true, "backend '" + backend.name() + "' diverges from '"
            + source.name() + "' at " + difference);
      }
      last = mine.tid();
    }
    return new Walked(BATCH_RECORDS, last, false, null);
  }

  /** Estimates what is left to copy from the RAID's transaction count and the source's size. */
  private void estimateTotals() {
    long behind = Math.max(0, raid.committedCount() - targetCount);
    transactionsTotal = transactionsCopied.get() + behind;
    long sourceBytes = sourceStep("stats", storage -> storage.stats().bytes());
    long targetBytes = step("target", "stats", slot -> target.stats().bytes());
    bytesTotal = bytesCopied.get() + Math.max(0, sourceBytes - targetBytes);
  }

  /**
   * Copies from the source everything after {@link #targetLast} (up to {@code upTo} if not null),
   * in bounded batches, failing over to another source (after verifying again) if one fails.
   */
  private void copy(Tid upTo) {
    while (true) {
      try {
        copyFromSource(upTo);
        return;
      } catch (SourceFailure e) {
        checkCancelled();
        RecoveryPhase current = phase;
        verify();
        phase = current;
      }
    }
  }

  private void copyFromSource(Tid upTo) {
    Tid after = targetLast;
    TransactionIterator history = sourceStep("transactions",
        storage -> storage.transactions(after));
    try {
      rateStartNanos = System.nanoTime();
      rateStartBytes = bytesCopied.get();
      while (true) {
        Copied copied = step("target", "copy", slot -> copyBatch(history, upTo, slot));
        if (copied.count() > 0) {
          targetLast = copied.last();
          targetCount += copied.count();
          backend.position(targetLast, targetCount);
          transactionsCopied.addAndGet(copied.count());
          bytesCopied.addAndGet(copied.bytes());
        }
        if (!copied.more()) {
          return;
        }
        checkCancelled();
        limitRate();
      }
    } finally {
      Closing.quietly(history, source, "copying");
    }
  }

  /** What one batch copied, and whether there may be more. */
  private record Copied(long count, Tid last, long bytes, boolean more) {}

  /**
   * Copies up to one batch (by count, bytes, and half the call timeout). Stops at once if the
   * caller has given up on this step, so that a late thread never writes behind the recovery.
   */
  private Copied copyBatch(TransactionIterator history, Tid upTo, Round.Slot<?> slot) {
    long count = 0;
    long bytes = 0;
    Tid last = targetLast;
    long deadline = System.nanoTime() + raid.settings().callTimeout().toNanos() / 2;
    while (count < BATCH_RECORDS && bytes < batchBytes()) {
      if (cancelReason != null && !promoting) {
        return new Copied(count, last, bytes, true);
      }
      slot.stage("source");
      if (!history.hasNext()) {
        return new Copied(count, last, bytes, false);
      }
      TransactionRecord record = history.next();
      if (upTo != null && record.tid().isAfter(upTo)) {
        return new Copied(count, last, bytes, false);
      }
      if (slot.state() != Round.RUNNING) {
        return new Copied(0, last, 0, false);
      }
      slot.stage("target");
      target.restore(record);
      last = record.tid();
      count++;
      bytes += record.dataLength();
      if (System.nanoTime() - deadline > 0) {
        break;
      }
    }
    return new Copied(count, last, bytes, true);
  }

  private long batchBytes() {
    long limit = raid.settings().recoveryRateLimit();
    return limit == 0 ? BATCH_BYTES : Math.max(1, Math.min(BATCH_BYTES, limit / 4));
  }

  /** Waits as long as needed to keep the copy rate at or below the configured limit. */
  private void limitRate() {
    long limit = raid.settings().recoveryRateLimit();
    if (limit == 0) {
      return;
    }
    long bytes = bytesCopied.get() - rateStartBytes;
    long due = rateStartNanos + (long) (bytes * 1e9 / limit);
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        checkCancelled();
        throw new Failure("interrupted");
      }
    }
  }

  /** Copies what writers committed meanwhile until what is left is small. */
  private void catchUp() {
    phase = RecoveryPhase.CATCHING_UP;
    for (int round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
      long behind = raid.committedCount() - targetCount;
      transactionsTotal = transactionsCopied.get() + Math.max(0, behind);
      if (behind <= FINAL_STEP_MAX) {
        return;
      }
      copy(null);
    }
  }

  /**
   * Promotes under the RAID commit lock. If the lock is not free in time, or the source fails in
   * the final step, it lets go of the lock, catches up again and retries, a few times.
   */
  private void promote() {
    for (int attempt = 1; ; attempt++) {
      checkCancelled();
      if (source.state() != BackendState.OPTIMAL) {
        verify();
      }
      if (tryPromote()) {
        return;
      }
      if (attempt == MAX_PROMOTION_TRIES) {
        throw new Failure("could not promote in " + attempt + " attempts (the RAID commit lock "
            + "was busy for " + Durations.format(raid.settings().commitLockTimeout())
            + " or the source failed)");
      }
      catchUp();
    }
  }

  /** One attempt at the final step; false if it must be retried. */
  private boolean tryPromote() {
    phase = RecoveryPhase.PROMOTING;
    promoting = true;
    BackendTransition promoted;
    raid.enterPhase();
    try {
      try {
        raid.acquireCommitLock();
      } catch (CommitLockTimeoutException e) {
        promoting = false;
        return false;
      }
      long lockedAt = System.nanoTime();
      try {
        if (source.state() != BackendState.OPTIMAL) {
          promoting = false;
          return false;
        }
        promoted = promoteUnderLock();
      } catch (SourceFailure e) {
        promoting = false;
        return false;
      } finally {
        raid.releaseCommitLock();
      }
      log.info("RAID '{}': backend '{}' promoted; the commit lock was held for {}",
          raid.name(), backend.name(), Durations.format(Duration.ofNanos(
              System.nanoTime() - lockedAt)));
    } finally {
      raid.exitPhase();
    }
    raid.supervisor().publish(promoted);
    raid.supervisor().checkRestored();
    return true;
  }

  /** Copies the rest, aligns the OID counter and makes the backend OPTIMAL; returns that. */
  private BackendTransition promoteUnderLock() {
    Tid last = raid.lastCommitted();
    copyFromSource(last);
    Tid reached = step("target", "lastTransaction", slot -> target.lastTransaction());
    if (!reached.equals(last)) {
      throw new Failure("after the final copy backend '" + backend.name() + "' is at " + reached
          + ", the RAID at " + last);
    }
    OidAllocator oids = raid.oids();
    oids.lock();
    try {
      alignOids(oids);
      BackendTransition promoted = raid.roster().transition(backend, BackendState.OPTIMAL,
          "recovered", BackendState.RECOVERING);
      if (promoted == null) {
        throw new Failure("backend '" + backend.name() + "' is no longer RECOVERING but "
            + backend.state());
      }
      backend.position(last, raid.committedCount());
      return promoted;
    } finally {
      oids.unlock();
    }
  }

  /**
   * Brings the target's OID counter in step with the optimal backends: whichever is behind is
   * advanced to the other.
   */
  private void alignOids(OidAllocator oids) {
    Oid fromTarget = step("target", "newOid", slot -> target.newOid());
    long allocated = fromTarget.value();
    long high = oids.highWater();
    if (allocated > high) {
      oids.advance(raid.roster().optimal(), allocated);
      oids.raise(allocated);
    } else {
      Oid through = Oid.of(high);
      step("target", "reserveOids", slot -> {
        target.reserveOids(through);
        return Tally.SUCCESS;
      });
    }
  }

  /** Returns the optimal backend to copy from: the first in configuration order. */
  private Backend chooseSource() {
    List<Backend> optimal = raid.roster().optimal();
    if (optimal.isEmpty()) {
      throw new Failure("no optimal backend left to copy from");
    }
    return optimal.get(0);
  }

  /** A step whose call works on the current source: its failure degrades the source. */
  private <T> T sourceStep(String operation, SourceCall<T> call) {
    Backend from = source;
    Storage storage = from.storage();
    return step("source", operation, slot -> call.call(storage));
  }

  /** A call to the source's storage. */
  @FunctionalInterface
  private interface SourceCall<T> {
    T call(Storage storage) throws Exception;
  }

  /** A call made in a bounded step. */
  @FunctionalInterface
  private interface StepCall<T> {
    T call(Round.Slot<T> slot) throws Exception;
  }

  /**
   * Runs {@code call} on one virtual thread under the call timeout. The call names the side it is
   * working on as the slot's stage ({@code "source"} or {@code "target"}): a source that fails is
   * degraded ({@link SourceFailure}); a target that fails, or any answer, fails the recovery.
   */
  private <T> T step(String side, String operation, StepCall<T> call) {
    Round<T> round = new Round<>(raid.threads(), operation, List.of(backend),
        raid.settings().callTimeout(), (ignored, slot) -> {
          slot.stage(side);
          return call.call(slot);
        });
    raid.direct().execute(round);
    Round.Slot<T> slot = round.slots()[0];
    Round.Outcome outcome = slot.outcome();
    if (outcome == Round.Outcome.SUCCESS) {
      return slot.value();
    }
    if (outcome == Round.Outcome.FATAL) {
      throw (VirtualMachineError) slot.error();
    }
    checkCancelled();
    String where = slot.stage().equals("source") ? "source '" + source.name() + "'"
        : "backend '" + backend.name() + "'";
    String what = outcome == Round.Outcome.NO_RESPONSE
        ? "no response within " + Durations.format(raid.settings().callTimeout())
        : Durations.describe(slot.error());
    if (slot.stage().equals("source") && !(slot.error() instanceof StorageException)) {
      raid.supervisor().degrade(source, "error in recovery of '" + backend.name() + "' ("
          + operation + "): " + what);
      throw new SourceFailure();
    }
    throw new Failure(operation + " on " + where + ": " + what);
  }
}
