package org.loomraid.raid;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a RAID's {@link RaidMXBean} in the platform MBean server on open and unregisters it on
 * close. JMX is optional: if it is unavailable, or the name is taken (another open RAID of the same
 * name), a warning is logged and the RAID works on without it.
 */
final class RaidMBeanRegistration {

  private static final Logger log = LoggerFactory.getLogger(RaidMBeanRegistration.class);

  private final RaidStorage raid;
  private volatile ObjectName registered;

  RaidMBeanRegistration(RaidStorage raid) {
    this.raid = raid;
  }

  /** Returns the object name of a RAID: {@code org.loomraid:type=Raid,name=<raid>}. */
  static String objectName(String raid) {
    boolean plain = raid.chars().noneMatch(c -> ",=:\"*?\n".indexOf(c) >= 0);
    return "org.loomraid:type=Raid,name=" + (plain ? raid : ObjectName.quote(raid));
  }

  void register() {
    try {
      ObjectName name = new ObjectName(objectName(raid.name()));
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      server.registerMBean(new View(raid), name);
      registered = name;
    } catch (Exception | LinkageError e) {
      log.warn("RAID '{}': not registered with JMX ({}); the RAID works on without it",
          raid.name(), e.toString());
    }
  }

  void unregister() {
    ObjectName name = registered;
    if (name == null) {
      return;
    }
    registered = null;
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (Exception | LinkageError e) {
      log.warn("RAID '{}': could not unregister from JMX ({})", raid.name(), e.toString());
    }
  }

  /** The MXBean itself: a thin view over the RAID's admin. */
  static final class View implements RaidMXBean {
    private final RaidStorage raid;

    View(RaidStorage raid) {
      this.raid = raid;
    }

    @Override
    public String getName() {
      return raid.name();
    }

    @Override
    public String getStatus() {
      return raid.status().name();
    }

    @Override
    public String getFanOutKind() {
      return raid.fanOutKind().name();
    }

    @Override
    public List<BackendDetails> getBackends() {
      List<BackendDetails> details = new ArrayList<>();
      for (BackendInfo info : raid.backends()) {
        details.add(BackendDetails.of(info));
      }
      return details;
    }

    @Override
    public void disable(String backend) {
      raid.admin().disable(backend);
    }

    @Override
    public String recover(String backend) {
      RecoveryHandle handle = raid.admin().recover(backend);
      return "recovery of backend '" + handle.backend() + "' started";
    }

    @Override
    public String scrub(boolean repair) {
      ScrubProgress started = raid.admin().scrub(repair).progress();
      return "scrub started" + (repair ? " (repairing)" : "")
          + (started.resumedAfter().isNone() ? "" : ", resuming after " + started.resumedAfter());
    }

    @Override
    public String cancelScrub() {
      ScrubHandle scrub = raid.admin().lastScrub().orElse(null);
      if (scrub == null || scrub.isDone()) {
        return "no scrub is running";
      }
      scrub.cancel();
      return "scrub cancelled; the next scrub resumes where it stops";
    }

    @Override
    public ScrubDetails getScrub() {
      return raid.admin().lastScrub().map(scrub -> ScrubDetails.of(scrub.progress()))
          .orElseGet(ScrubDetails::none);
    }
  }
}
