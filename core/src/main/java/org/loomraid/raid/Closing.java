package org.loomraid.raid;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes what a backend left open, where a failure to close is only worth a log line. */
final class Closing {

  private static final Logger log = LoggerFactory.getLogger(Closing.class);

  private Closing() {}

  /** Closes {@code resource} (if not null), logging at DEBUG whatever it throws. */
  static void quietly(AutoCloseable resource, Backend backend, String what) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.debug("backend '{}': closing after {} failed", backend.name(), what, e);
    }
  }
}
