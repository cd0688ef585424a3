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

  Administration(RaidStorage raid) {
    this.raid = raid;
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
    raid.checkOpen();
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
    BackendTransition transition = raid.roster().degradeKeeping(backend, "disabled by operator",
        raid.settings().redundancy());
    if (transition == null) {
      throw new IllegalStateException(
          "backend '" + name + "' changed state meanwhile: now " + backend.state());
    }
    raid.supervisor().degraded(backend, transition);
  }

  @Override
  public RecoveryHandle recover(String name) {
    Backend backend = find(name);
    raid.checkOpen();
    BackendTransition transition = raid.roster().transition(backend, BackendState.RECOVERING,
        "recovery started", BackendState.DEGRADED);
    if (transition == null) {
      String why = backend.state() == BackendState.RECOVERING ? "it is already being recovered"
          : "it is " + backend.state() + "; only a DEGRADED backend can be recovered";
      throw new IllegalStateException("cannot recover backend '" + name + "': " + why);
    }
    raid.supervisor().publish(transition);
    return Recovery.start(raid, backend);
  }

  @Override
  public void add(String name, StorageOpener opener) {
    RaidStorage.requireName(name, "backend name");
    Objects.requireNonNull(opener, "opener");
    raid.checkOpen();
    Backend backend = raid.roster().addKeeping(name, opener, raid.threads().threadName(name),
        "added", raid.settings().redundancy());
    raid.supervisor().publish(new BackendTransition(raid.name(), name, null,
        BackendState.DEGRADED, "added"));
    if (raid.settings().autoRecover()) {
      recover(backend.name());
    }
  }

  @Override
  public void remove(String name) {
    Backend backend = find(name);
    raid.checkOpen();
    if (backend.state() == BackendState.RECOVERING) {
      stopRecovery(backend, "removed by operator");
    }
    BackendTransition transition = raid.roster().removeKeeping(backend,
        raid.settings().redundancy());
    raid.supervisor().degraded(backend, transition);
    raid.supervisor().closeInBackground(backend, backend.storage());
    raid.supervisor().publishRemoval(backend);
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
    Settings settings = raid.settings();
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
    Backend backend = raid.roster().find(name);
    if (backend == null) {
      throw new IllegalArgumentException(
          "RAID '" + raid.name() + "' has no backend named '" + name + "'");
    }
    return backend;
  }
}
