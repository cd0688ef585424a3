package org.loomraid.raid;

import java.util.List;
import java.util.Objects;

/** The {@link RaidAdmin} of one RAID: validates each operator action and carries it out. */
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
    if (backend.state() == BackendState.DEGRADED) {
      throw new IllegalStateException(
          "backend '" + name + "' is already DEGRADED: " + backend.reason());
    }
    if (backend.state() == BackendState.OPTIMAL && raid.roster().optimal().size() == 1) {
      throw new IllegalStateException("backend '" + name
          + "' is the last optimal backend of RAID '" + raid.name() + "'; disabling it would "
          + "leave none");
    }
    if (!raid.supervisor().degrade(backend, "disabled by operator")) {
      throw new IllegalStateException("backend '" + name + "' changed state meanwhile: "
          + backend.state());
    }
  }

  @Override
  public RecoveryHandle recover(String name) {
    find(name);
    raid.checkOpen();
    throw new UnsupportedOperationException("recovery is not available in this version");
  }

  @Override
  public void add(String name, StorageOpener opener) {
    Objects.requireNonNull(opener, "opener");
    raid.checkOpen();
    throw new UnsupportedOperationException("adding backends is not available in this version");
  }

  @Override
  public void remove(String name) {
    find(name);
    raid.checkOpen();
    throw new UnsupportedOperationException("removing backends is not available in this version");
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
