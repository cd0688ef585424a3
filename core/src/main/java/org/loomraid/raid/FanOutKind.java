package org.loomraid.raid;

/**
 * Which fan-out implementation a RAID uses, as reported by {@link RaidStorage#fanOutKind()}.
 *
 * <p>{@link WriteMode#SEQUENTIAL} always gives {@link #SEQUENTIAL}. {@link WriteMode#PARALLEL} gives
 * {@link #STRUCTURED_TASK_SCOPE} when the JVM allows it (JDK 25 run with {@code --enable-preview})
 * and {@link #VIRTUAL_THREADS} otherwise. The system property {@value RaidStorage#FAN_OUT_PROPERTY},
 * read when a RAID opens, forces the choice for {@code PARALLEL}: {@code auto} (the default),
 * {@code threads} (always {@link #VIRTUAL_THREADS}) or {@code structured} (always
 * {@link #STRUCTURED_TASK_SCOPE}; opening fails with a {@link RaidException} where it is not
 * available). All three have the same semantics and the same single deadline per fan-out.
 */
public enum FanOutKind {
  /** One backend after another, each on its own virtual thread. */
  SEQUENTIAL,
  /** One virtual thread per backend, started together and joined under one deadline. */
  VIRTUAL_THREADS,
  /** One virtual thread per backend, forked in a {@code StructuredTaskScope} (JDK 25 preview). */
  STRUCTURED_TASK_SCOPE
}
