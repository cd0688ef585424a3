package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;

/**
 * Opens a RAID: every backend in parallel under the open deadline, each on its own virtual
 * thread. A backend that fails to open or to answer is DEGRADED, never a crash. The backends at the
 * highest last tid become OPTIMAL and the others DEGRADED "missing transactions"; the OID counters
 * of the optimal ones are aligned. Only then does the fail mode become active, so that
 * degradations during startup never close the RAID halfway.
 */
final class Startup {

  /** How the reason of a backend found lagging at startup begins. */
  static final String MISSING_TRANSACTIONS = "missing transactions";

  /** What opening one backend found. */
  record Opened(Storage storage, Tid last, long transactions, Oid oid) {}

  private Startup() {}

  /**
   * Opens every backend of {@code raid} and decides their states.
   *
   * @param close closes the RAID, if it cannot open
   * @throws RaidException if no backend works, or if the minimum redundancy is not met with
   *     {@link FailMode#CLOSE}; everything opened is closed again
   */
  static void run(Engine raid, Runnable close) {
    Settings settings = raid.settings();
    Supervisor supervisor = raid.supervisor();
    Verdict<Opened> verdict = raid.dispatcher().run("open", raid.roster().all(),
        settings.openTimeout(), false, (ignored, slot) -> {
          Storage storage = slot.backend().opener().open();
          if (storage == null) {
            throw new IllegalStateException("the opener returned null");
          }
          slot.attach(storage);
          slot.stage("lastTransaction");
          Tid last = storage.lastTransaction();
          slot.stage("stats");
          long transactions = storage.stats().transactions();
          slot.stage("newOid");
          Oid oid = storage.newOid();
          return new Opened(storage, last, transactions, oid);
        });

    List<Round.Slot<Opened>> opened = new ArrayList<>();
    for (Round.Slot<Opened> slot : verdict.round().slots()) {
      if (slot.outcome() == Outcome.SUCCESS) {
        opened.add(slot);
      } else {
        enter(raid, slot.backend(), BackendState.DEGRADED, slot.failureReason());
        supervisor.closeInBackground(slot.backend(), null, slot.leftover());
      }
    }
    if (verdict.fatal() != null || verdict.raidError() != null || opened.isEmpty()) {
      for (Round.Slot<Opened> slot : opened) {
        supervisor.closeInBackground(slot.backend(), null, slot.value().storage());
      }
      Dispatcher.rethrowSevere(verdict);
      throw new RaidException("RAID '" + settings.name() + "' cannot open: no backend works ("
          + reasons(raid) + ")");
    }
    decideStates(raid, opened);
    alignOids(raid);
    supervisor.started();
    checkRedundancy(raid, close);
  }

  private static void decideStates(Engine raid, List<Round.Slot<Opened>> opened) {
    Tid highest = Tid.NONE;
    long count = 0;
    for (Round.Slot<Opened> slot : opened) {
      if (slot.value().last().isAfter(highest)) {
        highest = slot.value().last();
      }
      count = Math.max(count, slot.value().transactions());
    }
    long oid = 0;
    for (Round.Slot<Opened> slot : opened) {
      Opened found = slot.value();
      Backend backend = slot.backend();
      backend.storage(found.storage());
      backend.position(found.last(), found.transactions());
      if (found.last().equals(highest)) {
        oid = Math.max(oid, found.oid().value());
        enter(raid, backend, BackendState.OPTIMAL, "opened");
      } else {
        enter(raid, backend, BackendState.DEGRADED, MISSING_TRANSACTIONS + ": its last is "
            + found.last() + ", the RAID's is " + highest
            + " (" + (count - found.transactions()) + " transactions behind)");
        raid.supervisor().closeInBackground(backend, found.storage());
      }
    }
    raid.gate().startAt(highest, count);
    raid.oids().raise(oid);
  }

  /** Advances every optimal backend's OID counter to the highest among them. */
  private static void alignOids(Engine raid) {
    OidAllocator oids = raid.oids();
    oids.advance(raid.roster().optimal(), oids.highWater());
  }

  private static void checkRedundancy(Engine raid, Runnable close) {
    Settings settings = raid.settings();
    if (raid.roster().meets(settings.redundancy())) {
      return;
    }
    String why = "only " + raid.roster().describe() + ", below the minimum redundancy "
        + settings.redundancy() + " (" + reasons(raid) + ")";
    if (settings.failMode() == FailMode.CLOSE && !settings.autoRecover()) {
      close.run();
      throw new RaidException("RAID '" + settings.name() + "' cannot open: " + why);
    }
    raid.supervisor().failedAtStartup(why + (settings.autoRecover()
        ? "; writes resume once recovery restores the redundancy" : ""));
  }

  /** Puts a backend into its first state and publishes it as entering the RAID. */
  private static void enter(Engine raid, Backend backend, BackendState state, String reason) {
    BackendTransition t = raid.roster().transition(backend, state, reason, BackendState.DEGRADED);
    if (t != null) {
      raid.supervisor().publish(new BackendTransition(t.raid(), t.name(), null, t.to(), t.reason()));
    }
  }

  private static String reasons(Engine raid) {
    StringBuilder text = new StringBuilder();
    for (Backend backend : raid.roster().all()) {
      if (backend.state() != BackendState.OPTIMAL) {
        text.append(text.isEmpty() ? "" : "; ").append(backend.name()).append(": ")
            .append(backend.reason());
      }
    }
    return text.toString();
  }
}
