package org.loomraid.raid;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a RAID's backends to the user's {@link RaidMetrics}, if one was set: asks it for a meter
 * as each backend enters the RAID, and tells it as each leaves. Called holding none of the RAID's
 * locks; what the user's code throws is logged and otherwise ignored.
 */
final class Metering {

  private static final Logger log = LoggerFactory.getLogger(Metering.class);

  private Metering() {}

  /** A backend entered the RAID: from now on its calls go to the user's meter. */
  static void joined(Engine engine, Backend backend) {
    RaidMetrics metrics = engine.settings().metrics();
    if (metrics == null) {
      return;
    }
    CommitGate gate = engine.gate();
    try {
      RaidMetrics.BackendMeter meter = metrics.backend(engine.name(), backend.name(),
          () -> backend.lag(gate.committedCount()));
      if (meter == null) {
        throw new NullPointerException("RaidMetrics.backend returned null");
      }
      backend.stats().meter(meter);
    } catch (RuntimeException e) {
      log.warn("RAID '{}': RaidMetrics {} failed for backend '{}', which is not measured",
          engine.name(), metrics, backend.name(), e);
    }
  }

  /** A backend left the RAID: its calls are no longer passed on. */
  static void left(Engine engine, Backend backend) {
    RaidMetrics metrics = engine.settings().metrics();
    if (metrics == null) {
      return;
    }
    backend.stats().meter(null);
    try {
      metrics.removed(engine.name(), backend.name());
    } catch (RuntimeException e) {
      log.warn("RAID '{}': RaidMetrics {} failed on the removal of backend '{}'", engine.name(),
          metrics, backend.name(), e);
    }
  }
}
