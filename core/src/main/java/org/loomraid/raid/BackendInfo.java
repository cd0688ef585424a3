package org.loomraid.raid;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.loomraid.storage.Tid;

/**
 * A snapshot of one backend of a RAID, from {@link RaidStorage#backends()} and
 * {@link RaidAdmin#backends()}.
 *
 * @param name the backend's name
 * @param state its state
 * @param reason why it is not optimal (the degradation reason), or {@code ""} when it is optimal
 * @param lastTransaction the last transaction the RAID knows it has, {@link Tid#NONE} if none or
 *     never opened
 * @param lag how many committed transactions of the RAID it is missing ({@code 0} when optimal),
 *     or {@code -1} when not known
 * @param recovery the progress of its recovery, while one runs or after the last one ended
 * @param calls how many calls the RAID made to it
 * @param failures how many of those failed (errors and calls without an answer in time)
 * @param meanLatency the mean duration of those calls
 * @param maxLatency the longest of those calls
 * @param p50Latency the median duration of its calls over the last 30 to 60 seconds (within about
 *     2 %), {@link Duration#ZERO} if there were none
 * @param p99Latency the 99th percentile of the same calls
 */
public record BackendInfo(
    String name,
    BackendState state,
    String reason,
    Tid lastTransaction,
    long lag,
    Optional<RecoveryProgress> recovery,
    long calls,
    long failures,
    Duration meanLatency,
    Duration maxLatency,
    Duration p50Latency,
    Duration p99Latency) {

  /**
   * Creates a snapshot.
   *
   * @throws NullPointerException if an argument is null
   */
  public BackendInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(lastTransaction, "lastTransaction");
    Objects.requireNonNull(recovery, "recovery");
    Objects.requireNonNull(meanLatency, "meanLatency");
    Objects.requireNonNull(maxLatency, "maxLatency");
    Objects.requireNonNull(p50Latency, "p50Latency");
    Objects.requireNonNull(p99Latency, "p99Latency");
  }
}
