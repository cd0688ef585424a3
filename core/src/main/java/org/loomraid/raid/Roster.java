package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.Storage;

/**
 * The configured backends of one RAID and their states: the single source of truth for who is in
 * service.
 *
 * <p>Every state change happens under one lock (the <em>state lock</em>, innermost in the RAID's
 * lock order; nothing blocking is done while holding it) and is checked against the current state,
 * so concurrent callers cannot lose, duplicate or reorder a transition: of two threads degrading
 * the same backend, exactly one gets the transition. After every change the roster publishes an
 * immutable snapshot of the optimal backends in configuration order, which readers and fan-outs
 * use without locking.
 */
final class Roster {

  private final String raid;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayList<Backend> backends = new ArrayList<>();
  private volatile List<Backend> all = List.of();
  private volatile List<Backend> optimal = List.of();
  private int nextIndex;

  Roster(String raid) {
    this.raid = raid;
  }

  /**
   * Adds a backend, DEGRADED with the given reason until startup or recovery puts it in service.
   *
   * @throws IllegalArgumentException if the name is already used
   */
  Backend add(String name, StorageOpener opener, String threadName, String reason) {
    lock.lock();
    try {
      if (find(name) != null) {
        throw new IllegalArgumentException(
            "RAID '" + raid + "' already has a backend named '" + name + "'");
      }
      Backend backend = new Backend(name, nextIndex++, opener, threadName);
      backend.state(BackendState.DEGRADED, reason);
      backends.add(backend);
      publish();
      return backend;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds a backend in DEGRADED "added", unless that would leave the optimal backends below
   * {@code redundancy} (a new backend counts as configured).
   *
   * @throws IllegalArgumentException if the name is already used
   * @throws IllegalStateException if the redundancy would be lost
   */
  Backend addKeeping(String name, StorageOpener opener, String threadName, String reason,
      Redundancy redundancy) {
    lock.lock();
    try {
      if (!meets(redundancy, optimal.size(), backends.size() + 1)) {
        throw new IllegalStateException("adding backend '" + name + "' to RAID '" + raid
            + "' would leave " + optimal.size() + " of " + (backends.size() + 1)
            + " backends optimal, below the minimum redundancy " + redundancy
            + "; recover the degraded backends first");
      }
      return add(name, opener, threadName, reason);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a backend, degrading it first ("removed by operator") if it is in service, unless
   * that would leave the optimal backends below {@code redundancy} (or none at all).
   *
   * @return the degradation, or null if the backend was not in service
   * @throws IllegalArgumentException if the backend is no longer configured
   * @throws IllegalStateException if the redundancy would be lost, or it is RECOVERING
   */
  BackendTransition removeKeeping(Backend backend, Redundancy redundancy) {
    lock.lock();
    try {
      if (!backends.contains(backend)) {
        throw new IllegalArgumentException("RAID '" + raid + "' has no backend named '"
            + backend.name() + "'");
      }
      BackendState state = backend.state();
      if (state == BackendState.RECOVERING) {
        throw new IllegalStateException("backend '" + backend.name() + "' is RECOVERING");
      }
      boolean inService = state == BackendState.OPTIMAL;
      int optimalAfter = optimal.size() - (inService ? 1 : 0);
      if (inService && (optimalAfter == 0
          || !meets(redundancy, optimalAfter, backends.size() - 1))) {
        throw new IllegalStateException("removing backend '" + backend.name() + "' would leave "
            + optimalAfter + " of " + (backends.size() - 1) + " backends of RAID '" + raid
            + "' optimal, below the minimum redundancy " + redundancy);
      }
      BackendTransition transition = null;
      if (inService) {
        backend.state(BackendState.DEGRADED, "removed by operator");
        transition = new BackendTransition(raid, backend.name(), state, BackendState.DEGRADED,
            "removed by operator");
      }
      backends.remove(backend);
      publish();
      return transition;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes an OPTIMAL backend out of service with {@code reason}, unless that would leave the
   * optimal backends below {@code redundancy} (or none at all).
   *
   * @return the transition, or null if the backend was not OPTIMAL
   * @throws IllegalStateException if the redundancy would be lost
   */
  BackendTransition degradeKeeping(Backend backend, String reason, Redundancy redundancy) {
    lock.lock();
    try {
      if (backend.state() != BackendState.OPTIMAL) {
        return null;
      }
      int optimalAfter = optimal.size() - 1;
      if (optimalAfter == 0 || !meets(redundancy, optimalAfter, backends.size())) {
        throw new IllegalStateException("backend '" + backend.name() + "' cannot be taken out of"
            + " service: that would leave " + optimalAfter + " of " + backends.size()
            + " backends of RAID '" + raid + "' optimal, below the minimum redundancy "
            + redundancy + (optimalAfter == 0 ? " (it is the last optimal backend)" : ""));
      }
      return transition(backend, BackendState.DEGRADED, reason, BackendState.OPTIMAL);
    } finally {
      lock.unlock();
    }
  }

  /** Returns the backend with that name, or null. */
  Backend find(String name) {
    for (Backend backend : all) {
      if (backend.name().equals(name)) {
        return backend;
      }
    }
    return null;
  }

  /** Returns every configured backend, in configuration order (a snapshot). */
  List<Backend> all() {
    return all;
  }

  /** Returns the optimal backends, in configuration order (a snapshot). */
  List<Backend> optimal() {
    return optimal;
  }

  /** Returns how many backends are configured. */
  int configured() {
    return all.size();
  }

  /**
   * Moves {@code backend} from one of {@code allowedFrom} to {@code to}, with {@code reason}.
   *
   * @return the transition, or null if the backend was not in an allowed state (someone else
   *     changed it first) or is no longer configured
   */
  BackendTransition transition(Backend backend, BackendState to, String reason,
      BackendState... allowedFrom) {
    lock.lock();
    try {
      BackendState from = backend.state();
      if (!backends.contains(backend) || !contains(allowedFrom, from)) {
        return null;
      }
      backend.state(to, reason);
      publish();
      return new BackendTransition(raid, backend.name(), from, to, reason);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Degrades an OPTIMAL backend, if {@code instance} is still its current instance: an outcome of a
   * retired instance never touches its successor, and a RECOVERING backend (whose instance in
   * service was retired when it left service) is its recovery's to end; see {@link #transition}.
   */
  BackendTransition degrade(Backend backend, Storage instance, String reason) {
    lock.lock();
    try {
      if (backend.storage() != instance) {
        return null;
      }
      return transition(backend, BackendState.DEGRADED, reason, BackendState.OPTIMAL);
    } finally {
      lock.unlock();
    }
  }

  /** Returns whether the optimal backends meet {@code redundancy}. */
  boolean meets(Redundancy redundancy) {
    lock.lock();
    try {
      return meets(redundancy, optimal.size(), backends.size());
    } finally {
      lock.unlock();
    }
  }

  private static boolean meets(Redundancy redundancy, int optimalCount, int configured) {
    return switch (redundancy) {
      case ANY -> optimalCount > 0;
      case MAJORITY -> optimalCount * 2 > configured;
    };
  }

  /** Describes the redundancy for messages: {@code "1 of 3 backends optimal"}. */
  String describe() {
    return optimal.size() + " of " + all.size() + " backends optimal";
  }

  private static boolean contains(BackendState[] states, BackendState state) {
    for (BackendState s : states) {
      if (s == state) {
        return true;
      }
    }
    return false;
  }

  private void publish() {
    List<Backend> inService = new ArrayList<>(backends.size());
    for (Backend backend : backends) {
      if (backend.state() == BackendState.OPTIMAL) {
        inService.add(backend);
      }
    }
    all = List.copyOf(backends);
    optimal = List.copyOf(inService);
  }
}
