package org.loomraid.raid;

/** How a RAID sends a write phase (and every other fan-out) to its backends. */
public enum WriteMode {
  /**
   * All backends at once, each on its own virtual thread (the default). Uses
   * {@code StructuredTaskScope} where the JVM allows it, plain virtual threads otherwise; see
   * {@link FanOutKind}.
   */
  PARALLEL,
  /**
   * One backend after another, each call on its own virtual thread, under the same single
   * deadline as {@link #PARALLEL}: the ancestor's behaviour, kept as the baseline for benchmarks.
   * A backend not reached before the deadline counts as not having answered, so one hung backend
   * can cost the others their place: do not use it where backends may hang.
   */
  SEQUENTIAL
}
