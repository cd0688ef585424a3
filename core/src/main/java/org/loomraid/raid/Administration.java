package org.loomraid.raid;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link RaidAdmin} of one RAID: validates each operator action and carries it out. Every check
 * and state change is made atomically under the roster's state lock, so a refused action changes
 * nothing and two concurrent actions cannot together do what neither alone may.
 */
final class Administration implements RaidAdmin {

  private final RaidStorage raid;
  private final Engine engine;

  Administration(RaidStorage raid, Engine engine) {
    this.raid = raid;
    this.engine = engine;
  }

  @Override
  public RaidStatus status() {
    return raid.status();
  }

  @Override
  public List<BackendInfo> backends() {
    return raid.backends();
  }

  @Override
  public void disable(String name) {
    Backend backend = find(name);
    engine.lifecycle().checkOpen();
    if (backend.state() == BackendState.RECOVERING) {
      stopRecovery(backend, "disabled by operator");
      if (backend.state() != BackendState.OPTIMAL) {
        return;
      }
    }
    if (backend.state() == BackendState.DEGRADED) {
      throw new IllegalStateException(
          "backend '" + name + "' is already DEGRADED: " + backend.reason());
    }
    BackendTransition transition = engine.roster().degradeKeeping(backend, "disabled by operator",
        engine.settings().redundancy());
    if (transition == null) {
      throw new IllegalStateException(
          "backend '" + name + "' changed state meanwhile: now " + backend.state());
    }
    engine.supervisor().degraded(backend, transition);
  }

  @Override
  public RecoveryHandle recover(String name) {
    Backend backend = find(name);
    engine.lifecycle().checkOpen();
    BackendTransition transition = engine.roster().transition(backend, BackendState.RECOVERING,
        "recovery started", BackendState.DEGRADED);
    if (transition == null) {
      String why = backend.state() == BackendState.RECOVERING ? "it is already being recovered"
          : "it is " + backend.state() + "; only a DEGRADED backend can be recovered";
      throw new IllegalStateException("cannot recover backend '" + name + "': " + why);
    }
    engine.supervisor().publish(transition);
    return Recovery.start(engine, backend);
  }

  @Override
  public void add(String name, StorageOpener opener) {
    RaidStorage.requireName(name, "backend name");
    Objects.requireNonNull(opener, "opener");
    engine.lifecycle().checkOpen();
    Backend backend = engine.roster().addKeeping(name, opener, engine.threads().threadName(name),
        "added", engine.settings().redundancy());
    Metering.joined(engine, backend);
    engine.supervisor().publish(new BackendTransition(engine.name(), name, null,
        BackendState.DEGRADED, "added"));
    if (engine.settings().autoRecover()) {
      recover(backend.name());
    }
  }

  @Override
  public void remove(String name) {
    Backend backend = find(name);
    engine.lifecycle().checkOpen();
    if (backend.state() == BackendState.RECOVERING) {
      stopRecovery(backend, "removed by operator");
    }
    BackendTransition transition = engine.roster().removeKeeping(backend,
        engine.settings().redundancy());
    engine.supervisor().degraded(backend, transition);
    engine.supervisor().closeInBackground(backend, backend.storage());
    engine.supervisor().publishRemoval(backend);
    Metering.left(engine, backend);
  }

  @Override
  public ScrubHandle scrub(ScrubOptions options) {
    Objects.requireNonNull(options, "options");
    engine.lifecycle().checkOpen();
    return engine.scrubber().start(engine, options);
  }

  @Override
  public Optional<ScrubHandle> lastScrub() {
    return engine.scrubber().last();
  }

  /**
   * Cancels a backend's recovery with {@code reason} and waits for it to end (it may still have
   * promoted the backend, if it was already promoting).
   */
  private void stopRecovery(Backend backend, String reason) {
    Optional<Recovery> running = backend.recovery();
    if (running.isEmpty()) {
      return;
    }
    Recovery recovery = running.get();
    recovery.cancel(reason);
    Settings settings = engine.settings();
    Duration bound = settings.openTimeout().plus(settings.callTimeout().multipliedBy(3))
        .plus(settings.commitLockTimeout());
    try {
      if (!recovery.await(bound)) {
        throw new IllegalStateException("the recovery of backend '" + backend.name()
            + "' did not stop within " + Durations.format(bound) + "; try again");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the recovery of backend '"
          + backend.name() + "' to stop", e);
    }
  }

  private Backend find(String name) {
    Objects.requireNonNull(name, "name");
    Backend backend = engine.roster().find(name);
    if (backend == null) {
      throw new IllegalArgumentException(
          "RAID '" + engine.name() + "' has no backend named '" + name + "'");
    }
    return backend;
  }
}
