package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;

/**
 * Serves a RAID's reads: each from one optimal backend chosen by the {@link ReadPolicy}, bounded by
 * the call timeout (on the caller's thread for a backend whose reads never block, since no deadline
 * is at risk there; on a virtual thread otherwise, and hedged on a second backend by the
 * {@link ReadHedger} if the RAID hedges reads). A failure degrades the backend and the read moves to
 * another, invisibly; an answer (such as not found) is returned at once; a read the JVM did not get
 * to run in time is refused as overload, degrading nobody. With {@link ReadPolicy#LEAST_LATENCY}
 * every answered read feeds its backend's {@link ReadLatency}.
 *
 * <p>Reads see the RAID's last committed transaction, no later: while a commit is being fanned
 * out, some backends already show it and others do not yet, so a read caps what it returns at the
 * RAID's last committed tid, read before the backend is asked. A transaction thus becomes visible
 * on every backend at once, when {@code commit()} has reached them all, and
 * {@link RaidStorage#lastTransaction()} is never behind what a read returned. The cap is computed
 * before the call, so nothing of the RAID's own arithmetic runs inside it.
 */
final class ReadRouter {

  private final Settings settings;
  private final Roster roster;
  private final Dispatcher dispatcher;
  private final Lifecycle lifecycle;
  private final CommitGate gate;
  private final boolean leastLatency;
  private final ReadHedger hedger;
  private final AtomicInteger next = new AtomicInteger();

  ReadRouter(Settings settings, Roster roster, Dispatcher dispatcher, Lifecycle lifecycle,
      CommitGate gate, RaidThreads threads) {
    this.settings = settings;
    this.roster = roster;
    this.dispatcher = dispatcher;
    this.lifecycle = lifecycle;
    this.gate = gate;
    this.leastLatency = settings.readPolicy() == ReadPolicy.LEAST_LATENCY;
    this.hedger = settings.hedgedReads() == null ? null
        : new ReadHedger(settings.hedgedReads(), settings.callTimeout(), threads, dispatcher, this);
  }

  /** The current revision as of the RAID's last committed transaction. */
  Revision load(Oid oid) {
    Tid visible = gate.lastCommitted();
    Tid justAfter = after(visible);
    return read("load", (storage, slot) -> {
      Revision revision = storage.load(oid);
      if (!revision.serial().isAfter(visible)) {
        return revision;
      }
      // justAfter is not null here: a serial after visible means visible is below the top.
      return storage.loadBefore(oid, justAfter).orElseThrow(() -> new ObjectNotFoundException(oid));
    });
  }

  /** The revision before {@code tid}, as of the RAID's last committed transaction. */
  Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Tid visible = gate.lastCommitted();
    Tid justAfter = after(visible);
    boolean capped = justAfter != null && !tid.isBefore(justAfter);
    Tid bound = capped ? justAfter : tid;
    return read("loadBefore", (storage, slot) -> {
      Optional<Revision> revision = storage.loadBefore(oid, bound);
      if (revision.isPresent() || justAfter == null) {
        return revision;
      }
      // The object exists on the backend; if only in a commit still in progress, not for the RAID.
      boolean existsForTheRaid = !capped && storage.loadBefore(oid, justAfter).isPresent();
      if (!existsForTheRaid) {
        throw new ObjectNotFoundException(oid);
      }
      return revision;
    });
  }

  /** The revision written by {@code serial}, if that transaction is committed in the RAID. */
  Revision loadSerial(Oid oid, Tid serial) {
    if (serial.isAfter(gate.lastCommitted())) {
      lifecycle.checkOpen();
      throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
    }
    return read("loadSerial", (storage, slot) -> storage.loadSerial(oid, serial));
  }

  /** Returns the smallest tid after {@code tid}, or null if there is none. */
  private static Tid after(Tid tid) {
    return tid.value() == Long.MAX_VALUE ? null : tid.next();
  }

  /** Runs a read on one optimal backend (hedged, if the RAID hedges reads) and returns its value. */
  <T> T read(String operation, Round.Call<T> call) {
    return serve(operation, call, hedger != null).value();
  }

  /**
   * Runs a read on one optimal backend and returns the slot that served it; never hedged, as the
   * caller goes on with what the read opened on that backend.
   */
  <T> Round.Slot<T> serve(String operation, Round.Call<T> call) {
    return serve(operation, call, false);
  }

  private <T> Round.Slot<T> serve(String operation, Round.Call<T> call, boolean hedge) {
    lifecycle.checkOpen();
    List<Backend> tried = null;
    while (true) {
      Backend backend = pick(tried, true);
      if (backend == null) {
        throw lifecycle.noBackendLeft(operation);
      }
      Round.Slot<T> served;
      if (hedge && ReadHedger.blocks(backend)) {
        ReadHedger.Attempt<T> attempt = hedger.read(operation, backend, tried, call);
        served = attempt.verdict() == null ? null
            : served(attempt.verdict(), "the read was not served");
        if (served == null && attempt.second() != null) {
          tried = with(tried, attempt.second());
        }
      } else {
        Verdict<T> verdict = dispatcher.one(operation, backend, settings.callTimeout(), true, call);
        learn(verdict.round().slots()[0]);
        served = served(verdict, "the read was not served");
      }
      if (served != null) {
        return served;
      }
      lifecycle.checkOpen();
      tried = with(tried, backend);
    }
  }

  private static List<Backend> with(List<Backend> tried, Backend backend) {
    List<Backend> more = tried == null ? new ArrayList<>(2) : tried;
    more.add(backend);
    return more;
  }

  /** Feeds how long a read took on its backend to {@link ReadPolicy#LEAST_LATENCY}. */
  void learn(Round.Slot<?> slot) {
    if (leastLatency && slot.outcome().votes()) {
      slot.backend().readLatency().sample(slot.nanos(), System.nanoTime());
    }
  }

  /**
   * Runs a read on one given instance of a backend (a read that continues something opened on
   * it): returns the slot if it succeeded, null if the backend failed (it has been degraded, if
   * that instance is still current).
   */
  <T> Round.Slot<T> serveOn(String operation, Backend backend, Storage instance,
      Round.Call<T> call) {
    return served(dispatcher.on(operation, backend, instance, settings.callTimeout(), true, call),
        "the read was not served");
  }

  /**
   * Returns the one slot of a judged read if it succeeded; throws an answer, a caller error, a
   * severe error or overload; returns null for a failure (the dispatcher has degraded it).
   */
  <T> Round.Slot<T> served(Verdict<T> verdict, String consequence) {
    Round.Slot<T> slot = verdict.round().slots()[0];
    switch (slot.outcome()) {
      case SUCCESS -> {
        return slot;
      }
      case ANSWER, CALLER_ERROR -> throw (RuntimeException) slot.error();
      case RAID_ERROR, FATAL -> {
        Dispatcher.rethrowSevere(verdict);
        throw new AssertionError("unreachable");
      }
      case NOT_REACHED -> throw lifecycle.overloaded(verdict, consequence);
      default -> {
        return null;
      }
    }
  }

  /**
   * Picks the optimal backend for a read, skipping {@code tried}; null if none is left. With
   * {@link ReadPolicy#LEAST_LATENCY}, {@code probe} lets a backend due for a probe have it.
   */
  Backend pick(List<Backend> tried, boolean probe) {
    List<Backend> optimal = roster.optimal();
    int n = optimal.size();
    if (n == 0) {
      return null;
    }
    if (leastLatency) {
      return leastLatency(optimal, tried, probe);
    }
    int start = settings.readPolicy() == ReadPolicy.ROUND_ROBIN
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

  /**
   * {@link ReadPolicy#LEAST_LATENCY}: a backend due for a probe if {@code probe}, else the faster of
   * two candidates drawn at random (a backend never measured counts as fastest).
   */
  private static Backend leastLatency(List<Backend> optimal, List<Backend> tried, boolean probe) {
    List<Backend> candidates = optimal;
    if (tried != null) {
      candidates = new ArrayList<>(optimal);
      candidates.removeAll(tried);
    }
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    long now = System.nanoTime();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (probe) {
      int start = random.nextInt(n);
      for (int i = 0; i < n; i++) {
        Backend candidate = candidates.get((start + i) % n);
        if (candidate.readLatency().claimProbe(now)) {
          return candidate;
        }
      }
    }
    Backend chosen = candidates.get(0);
    if (n > 1) {
      int first = random.nextInt(n);
      int second = random.nextInt(n - 1);
      if (second >= first) {
        second++;
      }
      Backend a = candidates.get(first);
      Backend b = candidates.get(second);
      chosen = b.readLatency().score() < a.readLatency().score() ? b : a;
    }
    chosen.readLatency().picked(now);
    return chosen;
  }
}
