package org.loomraid.raid;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Whether a RAID is open, writable or closed, and the close gate that lets running write phases
 * finish before the backends close. Also makes the exceptions that say so, so that every refusal of
 * a closed, read-only or backend-less RAID reads alike.
 *
 * <p>The close gate is a {@link ReentrantReadWriteLock}: each write phase (a vote, a commit, an
 * abort, a restore, a pack, an OID fan-out, a promotion) holds it shared, taken without waiting;
 * closing takes it exclusively, waiting at most the call timeout.
 */
final class Lifecycle {

  private final String raid;
  private final Roster roster;
  private final Supervisor supervisor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantReadWriteLock phases = new ReentrantReadWriteLock();
  private volatile String closeReason = "";

  Lifecycle(String raid, Roster roster, Supervisor supervisor) {
    this.raid = raid;
    this.roster = roster;
    this.supervisor = supervisor;
  }

  /** Marks the RAID closed, with {@code reason} ("" when its user closed it); true the first time. */
  boolean markClosed(String reason) {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    closeReason = reason;
    return true;
  }

  /** Returns whether the RAID is closed or closing. */
  boolean isClosed() {
    return closed.get();
  }

  /** Returns why the RAID closed itself, or "" if its user closed it (or it is open). */
  String closeReason() {
    return closeReason;
  }

  /** Throws {@link RaidClosedException} if the RAID is closed. */
  void checkOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  /** Returns whether the RAID can write: neither closed nor read-only after a failure. */
  boolean canWrite() {
    return !closed.get() && !supervisor.failed();
  }

  /** Throws if the RAID cannot write: closed, or read-only after a failure. */
  void checkWritable() {
    checkOpen();
    if (supervisor.failed()) {
      throw readOnlyException();
    }
  }

  /**
   * Enters a write phase: holds the close gate shared until {@link #exitPhase()}, so that closing
   * lets it finish.
   *
   * @throws RaidClosedException if the RAID is closed or closing
   */
  void enterPhase() {
    if (!phases.readLock().tryLock()) {
      throw closedException();
    }
    if (closed.get()) {
      phases.readLock().unlock();
      throw closedException();
    }
  }

  /** Leaves a write phase; on the thread that entered it. */
  void exitPhase() {
    phases.readLock().unlock();
  }

  /**
   * Waits up to {@code nanos} for the running write phases to end and keeps new ones out.
   *
   * @return whether it drained (then {@link #undrain()} must follow)
   */
  boolean drain(long nanos) {
    try {
      return phases.writeLock().tryLock(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Releases what {@link #drain} took. */
  void undrain() {
    phases.writeLock().unlock();
  }

  /** Returns the exception for a write the RAID could not carry out on any backend. */
  RuntimeException writeRefusal(String what) {
    if (closed.get()) {
      return closedException();
    }
    if (supervisor.failed()) {
      return readOnlyException();
    }
    return new RaidException("RAID '" + raid + "': no backend " + what + " ("
        + roster.describe() + ")");
  }

  /** Returns the exception for a call that found no optimal backend. */
  RuntimeException noBackendLeft(String operation) {
    if (closed.get()) {
      return closedException();
    }
    String why = supervisor.failed() ? supervisor.failure() : roster.describe();
    return new RaidException(
        "RAID '" + raid + "' has no optimal backend left for " + operation + ": " + why);
  }

  /** Returns the exception for a round the RAID itself could not get run in time. */
  RaidOverloadedException overloaded(Verdict<?> verdict, String consequence) {
    Round<?> round = verdict.round();
    StringBuilder late = new StringBuilder();
    for (Round.Slot<?> slot : round.slots()) {
      if (!slot.outcome().finished()) {
        late.append(late.isEmpty() ? "" : ", ").append('\'').append(slot.backend().name())
            .append('\'');
      }
    }
    return new RaidOverloadedException("RAID '" + raid + "' is overloaded: backends " + late
        + " did not get to answer " + round.operation() + " within "
        + Durations.format(round.timeout()) + "; " + consequence
        + ", and no backend was taken out of service");
  }

  RaidClosedException closedException() {
    String reason = closeReason;
    return new RaidClosedException(raid,
        "RAID '" + raid + "' is closed" + (reason.isEmpty() ? "" : ": " + reason));
  }

  RaidReadOnlyException readOnlyException() {
    return new RaidReadOnlyException("RAID '" + raid + "' is read-only: " + supervisor.failure());
  }
}
