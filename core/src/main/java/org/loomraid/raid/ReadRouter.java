package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.Tid;

/**
 * Serves a RAID's reads: each from one optimal backend chosen by the {@link ReadPolicy}, on a
 * virtual thread bounded by the call timeout. A failure degrades the backend and the read moves to
 * another, invisibly; an answer (such as not found) is returned at once.
 *
 * <p>Reads see the RAID's last committed transaction, no later: while a commit is being fanned
 * out, some backends already show it and others do not yet, so a read caps what it returns at the
 * RAID's last committed tid (read before the backend is asked). A transaction thus becomes visible
 * on every backend at once, when {@code commit()} has reached them all, and
 * {@link RaidStorage#lastTransaction()} is never behind what a read returned.
 */
final class ReadRouter {

  private final RaidStorage raid;
  private final ReadPolicy policy;
  private final AtomicInteger next = new AtomicInteger();

  ReadRouter(RaidStorage raid, ReadPolicy policy) {
    this.raid = raid;
    this.policy = policy;
  }

  /** The current revision as of the RAID's last committed transaction. */
  Revision load(Oid oid) {
    return read("load", (storage, slot) -> {
      Tid visible = raid.lastCommitted();
      Revision revision = storage.load(oid);
      if (!revision.serial().isAfter(visible)) {
        return revision;
      }
      return storage.loadBefore(oid, visible.next())
          .orElseThrow(() -> new ObjectNotFoundException(oid));
    });
  }

  /** The revision before {@code tid}, as of the RAID's last committed transaction. */
  Optional<Revision> loadBefore(Oid oid, Tid tid) {
    return read("loadBefore", (storage, slot) -> {
      Tid limit = raid.lastCommitted().next();
      Tid bound = tid.isAfter(limit) ? limit : tid;
      Optional<Revision> revision = storage.loadBefore(oid, bound);
      if (revision.isPresent()) {
        return revision;
      }
      // The object exists on the backend; if only in a commit still in progress, not for the RAID.
      boolean existsForTheRaid = !bound.equals(limit) && storage.loadBefore(oid, limit).isPresent();
      if (!existsForTheRaid) {
        throw new ObjectNotFoundException(oid);
      }
      return revision;
    });
  }

  /** The revision written by {@code serial}, if that transaction is committed in the RAID. */
  Revision loadSerial(Oid oid, Tid serial) {
    return read("loadSerial", (storage, slot) -> {
      if (serial.isAfter(raid.lastCommitted())) {
        throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
      }
      return storage.loadSerial(oid, serial);
    });
  }

  /** Runs a read on one optimal backend and returns its value. */
  <T> T read(String operation, Round.Call<T> call) {
    return serve(operation, call).value();
  }

  /** Runs a read on one optimal backend and returns the slot that served it. */
  <T> Round.Slot<T> serve(String operation, Round.Call<T> call) {
    raid.checkOpen();
    List<Backend> tried = null;
    while (true) {
      Backend backend = pick(tried);
      if (backend == null) {
        throw raid.noBackendLeft(operation);
      }
      Round<T> round = new Round<>(raid.threads(), operation, List.of(backend),
          raid.settings().callTimeout(), call);
      raid.direct().execute(round);
      Round.Slot<T> slot = round.slots()[0];
      switch (slot.outcome()) {
        case SUCCESS -> {
          return slot;
        }
        case ANSWER -> throw (StorageException) slot.error();
        case FATAL -> throw (VirtualMachineError) slot.error();
        default -> {
          raid.supervisor().degrade(backend, slot.failureReason(), RaidStorage.leftover(slot));
          raid.checkOpen();
          if (tried == null) {
            tried = new ArrayList<>(2);
          }
          tried.add(backend);
        }
      }
    }
  }

  /** Picks the optimal backend for a read, skipping {@code tried}; null if none is left. */
  private Backend pick(List<Backend> tried) {
    List<Backend> optimal = raid.roster().optimal();
    int n = optimal.size();
    if (n == 0) {
      return null;
    }
    int start = policy == ReadPolicy.ROUND_ROBIN
        ? Math.floorMod(next.getAndIncrement(), n)
        : ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      Backend candidate = optimal.get((start + i) % n);
      if (tried == null || !tried.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
