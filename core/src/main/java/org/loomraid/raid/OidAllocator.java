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

  private final RaidStorage raid;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong highWater = new AtomicLong();

  OidAllocator(RaidStorage raid) {
    this.raid = raid;
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
          "RAID '" + raid.name() + "': interrupted waiting for the OID lock", e);
    }
  }

  void unlock() {
    lock.unlock();
  }

  /** Allocates an id on every optimal backend; see the class comment. */
  Oid newOid() {
    lock();
    try {
      Oid.after(highWater.get(), raid.name());
      Round<Oid> round = raid.fanOut("newOid", raid.optimalOrRefuse("newOid"),
          raid.settings().callTimeout(), (storage, slot) -> storage.newOid());
      Tally<Oid> tally = Tally.of(round, oid -> oid);
      RaidStorage.rethrowFatal(tally.fatal());
      Tally.Group<Oid> winner = tally.winner();
      long agreed = Oid.after(highWater.get(), raid.name()).value();
      if (winner != null && !winner.isAnswer()) {
        agreed = Math.max(agreed, winner.first().value().value());
      }
      List<Backend> behind = new ArrayList<>();
      for (Round.Slot<Oid> slot : round.slots()) {
        if (slot.outcome() != Round.Outcome.SUCCESS) {
          raid.supervisor().degrade(slot.backend(), slot.failureReason(),
              RaidStorage.leftover(slot));
        } else if (slot.value().value() > agreed) {
          raid.supervisor().degrade(slot.backend(), "inconsistent OIDs: allocated " + slot.value()
              + " where the RAID allocated " + Oid.of(agreed) + " (its counter ran ahead)");
        } else if (slot.value().value() < agreed) {
          behind.add(slot.backend());
        }
      }
      if (winner == null) {
        throw raid.noBackendLeft("newOid");
      }
      if (winner.isAnswer()) {
        throw winner.answer();
      }
      advance(behind, agreed);
      raid.checkOpen();
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
      Round<Object> round = raid.fanOut("reserveOids", raid.optimalOrRefuse("reserveOids"),
          raid.settings().callTimeout(), (storage, slot) -> {
            storage.reserveOids(through);
            return Tally.SUCCESS;
          });
      raid.finishWrite(raid.tallyAndDegrade(round, value -> Tally.SUCCESS));
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
    Round<Object> round = raid.fanOut("reserveOids", backends, raid.settings().callTimeout(),
        (storage, slot) -> {
          storage.reserveOids(target);
          return Tally.SUCCESS;
        });
    Throwable fatal = null;
    for (Round.Slot<Object> slot : round.slots()) {
      switch (slot.outcome()) {
        case SUCCESS -> { }
        case FATAL -> fatal = slot.error();
        default -> raid.supervisor().degrade(slot.backend(), slot.failureReason(),
            RaidStorage.leftover(slot));
      }
    }
    RaidStorage.rethrowFatal(fatal);
  }
}
