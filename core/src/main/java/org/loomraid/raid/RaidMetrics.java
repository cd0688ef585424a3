package org.loomraid.raid;

import java.util.function.LongSupplier;

/**
 * Receives a RAID's measurements of each backend, for the monitoring system you already run:
 * calls, failures and latency as they happen, and lag to read whenever you like. Register one with
 * {@link RaidStorage.Builder#metrics(RaidMetrics)}; without one the RAID records only its own
 * counters ({@link BackendInfo}) and calls nothing. {@code org.loomraid:loomraid-micrometer} binds
 * it to Micrometer.
 *
 * <p>{@link #backend} is called once per backend as it enters the RAID (at open, and on
 * {@link RaidAdmin#add}), before any call to it is recorded; {@link #removed} once as it leaves
 * (on {@link RaidAdmin#remove}, and for every backend when the RAID closes). They are called on
 * the thread that opens, changes or closes the RAID, holding none of its locks.
 *
 * <p>Whatever an implementation throws is logged and otherwise ignored: monitoring never fails a
 * call to the RAID. A backend whose {@code backend} call threw is not measured.
 */
public interface RaidMetrics {

  /**
   * A backend entered the RAID: returns where the RAID records its calls.
   *
   * @param raid the RAID's name
   * @param backend the backend's name
   * @param lag reads how many committed transactions of the RAID the backend is missing now
   *     ({@code 0} while it is optimal, {@code -1} when not known); cheap, non-blocking, callable
   *     from any thread at any time, also after the backend left (it then reads its last value)
   * @return the meter for its calls, not null
   */
  BackendMeter backend(String raid, String backend, LongSupplier lag);

  /**
   * A backend left the RAID: its meter gets no more calls. Does nothing by default.
   *
   * @param raid the RAID's name
   * @param backend the backend's name
   */
  default void removed(String raid, String backend) {}

  /**
   * Records the calls the RAID makes to one backend: every call of every kind (reads, each write
   * phase, checks, recovery steps). Called on the thread that made the call, from many threads at
   * once, on every backend call: it must be thread-safe, quick and must not block.
   */
  @FunctionalInterface
  interface BackendMeter {

    /**
     * One call to the backend ended.
     *
     * @param nanos how long it took, in nanoseconds; for a call that gave no answer in time, the
     *     deadline it was given
     * @param failed whether it failed: an error, or no answer in time. An answer such as "not
     *     found" or a conflict is not a failure.
     */
    void call(long nanos, boolean failed);
  }
}
