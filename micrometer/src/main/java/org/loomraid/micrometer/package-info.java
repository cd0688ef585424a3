/**
 * The Micrometer binding of a RAID's metrics hook ({@link org.loomraid.raid.RaidMetrics}).
 *
 * <p>{@link org.loomraid.micrometer.MicrometerRaidMetrics} registers, per backend, a timer of its
 * calls, a counter of its failures and a gauge of its lag, tagged {@code raid} and
 * {@code backend}, and removes them when the backend leaves the RAID or the RAID closes. It adds
 * nothing to a call but the timer and the counter Micrometer itself records; a RAID opened without
 * it does not touch Micrometer at all (loomraid's core does not depend on it).
 *
 * <p>Thread-safe: meters are recorded from the threads that call the backends.
 */
package org.loomraid.micrometer;
