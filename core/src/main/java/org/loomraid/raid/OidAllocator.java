package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageInterruptedException;

/**
 * Allocates object ids across a RAID's optimal backends and keeps their OID counters in step.
 *
 * <p>{@link #newOid()} asks every optimal backend and compares: the answer most backends agree on
 * wins (ties to the earliest-configured backend), never below an id the RAID already handed out
 * (its high-water mark). A backend whose counter ran ahead of that is degraded ("inconsistent
 * OIDs": something allocated behind the RAID's back); one behind is advanced with
 * {@link Storage#reserveOids}. Wasted ids are harmless; a repeated id would not be.
 *
 * <p>The OID lock serialises every fan-out that moves the counters (allocation, reservation, and
 * the phases of a transaction storing an id above the high-water mark), so that all backends see
 * them in the same order and stay comparable. It is held for one fan-out at a time.
 */
final class OidAllocator {

  private final Settings settings;
  private final Dispatcher dispatcher;
  private final Roster roster;
  private final Lifecycle lifecycle;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong highWater = new AtomicLong();

  OidAllocator(Settings settings, Dispatcher dispatcher, Roster roster, Lifecycle lifecycle) {
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.roster = roster;
    this.lifecycle = lifecycle;
  }

  /** Returns the highest object id known to be allocated or stored. */
  long highWater() {
    return highWater.get();
  }

  /** Raises the high-water mark to {@code oid} (never lowers it). */
  void raise(long oid) {
    highWater.accumulateAndGet(oid, Math::max);
  }

  /** Takes the OID lock; interruptible (holders keep it for one fan-out). */
  void lock() {
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(
          "RAID '" + settings.name() + "': interrupted waiting for the OID lock", e);
    }
  }

  void unlock() {
    lock.unlock();
  }

  /** Allocates an id on every optimal backend; see the class comment. */
  Oid newOid() {
    lock();
    try {
      Oid.after(highWater.get(), settings.name());
      Verdict<Oid> verdict = dispatcher.fanOut("newOid", optimal("newOid"),
          settings.callTimeout(), Round.Kind.QUERY, false, (storage, slot) -> storage.newOid(),
          oid -> Verdict.SUCCESS);
      Dispatcher.rethrowSevere(verdict);
      if (verdict.overloaded()) {
        throw lifecycle.overloaded(verdict, "no object id was allocated");
      }
      Verdict.Group<Oid> winner = verdict.winner();
      if (winner == null) {
        throw lifecycle.noBackendLeft("newOid");
      }
      if (winner.isRefusal()) {
        throw winner.refusal();
      }
      long agreed = Math.max(Oid.after(highWater.get(), settings.name()).value(),
          mostCommon(winner.members()));
      List<Backend> behind = new ArrayList<>();
      for (Round.Slot<Oid> slot : winner.members()) {
        long allocated = slot.value().value();
        if (allocated > agreed) {
          dispatcher.degrade(slot, "inconsistent OIDs: allocated " + slot.value()
              + " where the RAID allocated " + Oid.of(agreed) + " (its counter ran ahead)");
        } else if (allocated < agreed) {
          behind.add(slot.backend());
        }
      }
      advance(behind, agreed);
      lifecycle.checkOpen();
      raise(agreed);
      return Oid.of(agreed);
    } finally {
      lock.unlock();
    }
  }

  /** Reserves ids through {@code through} on every optimal backend. */
  void reserve(Oid through) {
    lock();
    try {
      Verdict<Object> verdict = dispatcher.fanOut("reserveOids", optimal("reserveOids"),
          settings.callTimeout(), Round.Kind.QUERY, false, (storage, slot) -> {
            storage.reserveOids(through);
            return Verdict.SUCCESS;
          }, value -> Verdict.SUCCESS);
      Dispatcher.rethrowSevere(verdict);
      if (verdict.overloaded()) {
        throw lifecycle.overloaded(verdict, "the ids may be reserved on some backends only");
      }
      Verdict.Group<Object> winner = verdict.winner();
      if (winner == null || !lifecycle.canWrite()) {
        throw lifecycle.writeRefusal("reserved ids through " + through);
      }
      if (winner.isRefusal()) {
        throw winner.refusal();
      }
      raise(through.value());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Advances the counters of {@code backends} to {@code through}; a backend that fails is
   * degraded. The caller holds the OID lock (or nothing else can allocate yet).
   */
  void advance(List<Backend> backends, long through) {
    if (backends.isEmpty()) {
      return;
    }
    Oid target = Oid.of(through);
    Verdict<Object> verdict = dispatcher.fanOut("reserveOids", backends, settings.callTimeout(),
        Round.Kind.QUERY, false, (storage, slot) -> {
          storage.reserveOids(target);
          return Verdict.SUCCESS;
        }, value -> Verdict.SUCCESS);
    Dispatcher.rethrowSevere(verdict);
  }

  /**
   * Returns the id most backends allocated; a tie goes to the earliest-configured backend's (the
   * vote's rule).
   */
  private static long mostCommon(List<Round.Slot<Oid>> slots) {
    long best = 0;
    int bestCount = 0;
    int bestIndex = Integer.MAX_VALUE;
    for (Round.Slot<Oid> candidate : slots) {
      long value = candidate.value().value();
      int count = 0;
      int first = Integer.MAX_VALUE;
      for (Round.Slot<Oid> slot : slots) {
        if (slot.value().value() == value) {
          count++;
          first = Math.min(first, slot.backend().index());
        }
      }
      if (count > bestCount || (count == bestCount && first < bestIndex)) {
        best = value;
        bestCount = count;
        bestIndex = first;
      }
    }
    return best;
  }

  private List<Backend> optimal(String operation) {
    List<Backend> optimal = roster.optimal();
    if (optimal.isEmpty()) {
      throw lifecycle.noBackendLeft(operation);
    }
    return optimal;
  }
}
