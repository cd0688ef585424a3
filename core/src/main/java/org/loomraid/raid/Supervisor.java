package org.loomraid.raid;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.loomraid.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out backend transitions and their consequences: logs each once, tells the listeners,
 * closes a degraded backend's instance (once, on its own thread, so that a hung backend cannot hold
 * the caller), and applies the minimum redundancy and the fail mode.
 *
 * <p>The state change itself is the {@link Roster}'s; everything here happens after its lock is
 * released. The fail mode fires at most once per loss of redundancy (a compare-and-set), and only
 * once startup has finished: degradations during startup never close the RAID halfway.
 */
final class Supervisor {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** What the RAID does when it fails with {@link FailMode#CLOSE}. */
  interface Shutdown {
    void shutdown(String reason);
  }

  private final String raid;
  private final Roster roster;
  private final RaidThreads threads;
  private final Redundancy redundancy;
  private final FailMode failMode;
  private final List<RaidListener> listeners;
  private final Shutdown shutdown;
  private final AtomicBoolean failed = new AtomicBoolean();
  private final Set<Thread> closing = ConcurrentHashMap.newKeySet();
  private volatile String failure = "";
  private volatile boolean started;
  private volatile boolean closed;

  Supervisor(String raid, Roster roster, RaidThreads threads, Redundancy redundancy,
      FailMode failMode, List<RaidListener> listeners, Shutdown shutdown) {
    this.raid = raid;
    this.roster = roster;
    this.threads = threads;
    this.redundancy = redundancy;
    this.failMode = failMode;
    this.listeners = List.copyOf(listeners);
    this.shutdown = shutdown;
  }

  /**
   * Takes {@code backend} out of service with {@code reason}, unless it is already out, the RAID is
   * closed, or {@code instance} is no longer its current instance (the outcome came from a retired
   * incarnation and says nothing about its successor). Closes its instance and whatever the failed
   * call left open ({@code leftovers}) in the background, then applies the fail mode if redundancy
   * is lost.
   *
   * @return whether this call degraded it
   */
  boolean degrade(Backend backend, Storage instance, String reason, AutoCloseable... leftovers) {
    BackendTransition transition = closed ? null : roster.degrade(backend, instance, reason);
    return degraded(backend, transition, leftovers);
  }

  /**
   * Ends a recovery that did not promote its backend: RECOVERING becomes DEGRADED with
   * {@code reason}, and the instance the recovery opened is closed.
   */
  void recoveryEnded(Backend backend, String reason) {
    BackendTransition transition = closed ? null
        : roster.transition(backend, BackendState.DEGRADED, reason, BackendState.RECOVERING);
    degraded(backend, transition);
  }

  /**
   * Carries out the consequences of a degradation the roster has made ({@code transition}, or
   * null if there was none): closes the instance and leftovers, publishes, applies the fail mode.
   *
   * @return whether there was a transition
   */
  boolean degraded(Backend backend, BackendTransition transition, AutoCloseable... leftovers) {
    Storage instance = transition == null ? null : backend.storage();
    closeInBackground(backend, instance, leftovers);
    if (transition == null) {
      return false;
    }
    publish(transition);
    checkRedundancy();
    return true;
  }

  /** Logs a transition once and delivers it to every listener. */
  void publish(BackendTransition t) {
    Telemetry.transition(t);
    if (t.to() == BackendState.DEGRADED) {
      log.warn("RAID '{}': backend '{}' is DEGRADED: {}", raid, t.name(), t.reason());
    } else {
      log.info("RAID '{}': backend '{}' is {} ({})", raid, t.name(), t.to(), t.reason());
    }
    for (RaidListener listener : listeners) {
      try {
        listener.onTransition(t);
      } catch (RuntimeException e) {
        log.warn("RAID '{}': listener {} failed on {}", raid, listener, t, e);
      }
    }
  }

  /** Logs that a backend left the configuration. */
  void publishRemoval(Backend backend) {
    log.warn("RAID '{}': backend '{}' was removed from the configuration", raid, backend.name());
  }

  /** Marks the end of startup: from now on, losing redundancy applies the fail mode. */
  void started() {
    started = true;
  }

  /** Marks the RAID closed: transitions stop (a closing RAID's backends fail by design). */
  void closed() {
    closed = true;
  }

  /** Applies the fail mode if the RAID has just lost its minimum redundancy. */
  void checkRedundancy() {
    if (!started || closed || roster.meets(redundancy) || !failed.compareAndSet(false, true)) {
      return;
    }
    failure = "only " + roster.describe() + ", below the minimum redundancy " + redundancy;
    log.error("RAID '{}' has FAILED: {}; fail mode {}", raid, failure, failMode);
    if (failMode == FailMode.CLOSE) {
      shutdown.shutdown(failure);
    }
  }

  /**
   * Clears the failure if the minimum redundancy is met again (after a recovery, in
   * {@link FailMode#READ_ONLY}).
   */
  void checkRestored() {
    if (failed.get() && !closed && roster.meets(redundancy) && failed.compareAndSet(true, false)) {
      log.warn("RAID '{}': minimum redundancy {} restored ({}); writes resume", raid, redundancy,
          roster.describe());
      failure = "";
    }
  }

  /** Returns whether the RAID has failed (lost its minimum redundancy). */
  boolean failed() {
    return failed.get();
  }

  /** Marks the RAID failed at startup (READ_ONLY with too few backends) with a reason. */
  void failedAtStartup(String reason) {
    failure = reason;
    failed.set(true);
    log.error("RAID '{}' has FAILED: {}; fail mode {}", raid, reason, failMode);
  }

  /** Returns why the RAID failed, or {@code ""}. */
  String failure() {
    return failure;
  }

  /**
   * Closes {@code instance} (if not null and not closed before) and the leftovers (null ones are
   * skipped), on a thread of the backend; starts no thread if there is nothing to close. The
   * RAID's close waits for these with {@link #awaitClosing}.
   */
  void closeInBackground(Backend backend, Storage instance, AutoCloseable... leftovers) {
    boolean closeInstance = instance != null && backend.claimClose(instance);
    if (!closeInstance && allNull(leftovers)) {
      return;
    }
    Thread thread = threads.newThread(backend.threadName(), () -> {
      try {
        for (AutoCloseable leftover : leftovers) {
          Closing.quietly(leftover, backend, "degradation");
        }
        if (closeInstance) {
          Closing.quietly(instance, backend, "degradation");
        }
      } finally {
        closing.remove(Thread.currentThread());
      }
    });
    closing.add(thread);
    if (closeInstance) {
      backend.closing(thread);
    }
    thread.start();
  }

  private static boolean allNull(AutoCloseable[] resources) {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        return false;
      }
    }
    return true;
  }

  /** Waits up to {@code timeout} for background closes to end; returns whether they all did. */
  boolean awaitClosing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      for (Thread thread : closing) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return closing.isEmpty();
        }
        try {
          thread.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
          interrupted = true;
          return false;
        }
      }
      return closing.isEmpty();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
