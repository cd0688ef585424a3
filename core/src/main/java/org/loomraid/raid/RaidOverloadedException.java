package org.loomraid.raid;

/**
 * The RAID could not get its own work done in time: the JVM did not run a backend call before its
 * deadline, or no backend of a fan-out answered in time at all. That is a shortage of threads or
 * CPU in this process (or every backend unreachable at once), not a failure of every backend, so
 * no backend was taken out of service. A write refused with this was not committed; retry it once
 * the load eases.
 */
public class RaidOverloadedException extends RaidException {

  private static final long serialVersionUID = 1L;

  /** Creates the error with a message naming the operation and the backends. */
  public RaidOverloadedException(String message) {
    super(message);
  }
}
