package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

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

  /** Removes a backend that is not OPTIMAL; returns whether it was there. */
  boolean remove(Backend backend) {
    lock.lock();
    try {
      if (backend.state() == BackendState.OPTIMAL) {
        throw new IllegalStateException("backend '" + backend.name() + "' is OPTIMAL");
      }
      boolean removed = backends.remove(backend);
      publish();
      return removed;
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

  /** Degrades an OPTIMAL or RECOVERING backend; see {@link #transition}. */
  BackendTransition degrade(Backend backend, String reason) {
    return transition(backend, BackendState.DEGRADED, reason,
        BackendState.OPTIMAL, BackendState.RECOVERING);
  }

  /** Returns whether the optimal backends meet {@code redundancy}. */
  boolean meets(Redundancy redundancy) {
    lock.lock();
    try {
      int optimalCount = optimal.size();
      return switch (redundancy) {
        case ANY -> optimalCount > 0;
        case MAJORITY -> optimalCount * 2 > backends.size();
      };
    } finally {
      lock.unlock();
    }
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
