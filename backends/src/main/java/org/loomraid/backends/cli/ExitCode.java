package org.loomraid.backends.cli;

/**
 * Exit codes, in the monitoring-plugin convention so that {@code loomraid ctl} can be called by
 * monitoring systems directly. A usage error (picocli's or a {@link UsageException}) is always
 * {@link #UNKNOWN}; each command's help lists the codes it returns.
 */
final class ExitCode {

  /** Done; or the RAID is OPTIMAL. */
  static final int OK = 0;

  /** The RAID is RECOVERING; or a command failed at run time. */
  static final int WARNING = 1;

  /** The RAID is DEGRADED, FAILED or CLOSED; or a recovery failed. */
  static final int CRITICAL = 2;

  /** The server cannot be reached, refused the request, or the arguments are wrong. */
  static final int UNKNOWN = 3;

  private ExitCode() {}

  /** The exit code for a RAID status name. */
  static int forStatus(String status) {
    return switch (status) {
      case "OPTIMAL" -> OK;
      case "RECOVERING" -> WARNING;
      case "DEGRADED", "FAILED", "CLOSED" -> CRITICAL;
      default -> UNKNOWN;
    };
  }
}
