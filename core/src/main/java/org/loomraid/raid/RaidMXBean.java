package org.loomraid.raid;

import java.util.List;

/**
 * The JMX view of one RAID, registered as {@code org.loomraid:type=Raid,name=<raid>} in the
 * platform MBean server while the RAID is open: its status, per-backend details, and the operator
 * actions disable and recover. The same as {@link RaidAdmin}, in JMX open types.
 */
public interface RaidMXBean {

  /** Returns the RAID's name. */
  String getName();

  /** Returns the RAID's {@link RaidStatus}, by name. */
  String getStatus();

  /** Returns the {@link FanOutKind} in use, by name. */
  String getFanOutKind();

  /** Returns every configured backend, in configuration order. */
  List<BackendDetails> getBackends();

  /** Takes a backend out of service; see {@link RaidAdmin#disable(String)}. */
  void disable(String backend);

  /**
   * Starts recovering a degraded backend; see {@link RaidAdmin#recover(String)}.
   *
   * @return a line saying that it started
   */
  String recover(String backend);

  /**
   * One backend, in JMX open types; see {@link BackendInfo}.
   *
   * @param name the backend's name
   * @param state its {@link BackendState}, by name
   * @param reason why it is not optimal, or empty
   * @param lastTransaction its last transaction's tid value (0 for none)
   * @param lag committed transactions it is missing, -1 if unknown
   * @param recoveryPhase the phase of its running or last recovery, or empty
   * @param transactionsCopied transactions that recovery copied
   * @param transactionsTotal transactions that recovery has to copy, as known now
   * @param bytesCopied bytes that recovery copied
   * @param bytesPerSecond that recovery's mean copy rate
   * @param calls calls the RAID made to it
   * @param failures calls that failed
   * @param meanLatencyMicros mean call latency in microseconds
   * @param maxLatencyMicros longest call in microseconds
   * @param p50LatencyMicros median call latency over the last 30 to 60 seconds, in microseconds
   * @param p99LatencyMicros 99th percentile of the same, in microseconds
   */
  record BackendDetails(String name, String state, String reason, long lastTransaction,
      long lag, String recoveryPhase, long transactionsCopied, long transactionsTotal,
      long bytesCopied, double bytesPerSecond, long calls, long failures,
      long meanLatencyMicros, long maxLatencyMicros, long p50LatencyMicros,
      long p99LatencyMicros) {

    static BackendDetails of(BackendInfo info) {
      RecoveryProgress recovery = info.recovery().orElse(null);
      return new BackendDetails(info.name(), info.state().name(), info.reason(),
          info.lastTransaction().value(), info.lag(),
          recovery == null ? "" : recovery.phase().name(),
          recovery == null ? 0 : recovery.transactionsCopied(),
          recovery == null ? 0 : recovery.transactionsTotal(),
          recovery == null ? 0 : recovery.bytesCopied(),
          recovery == null ? 0 : recovery.bytesPerSecond(),
          info.calls(), info.failures(),
          info.meanLatency().toNanos() / 1000, info.maxLatency().toNanos() / 1000,
          info.p50Latency().toNanos() / 1000, info.p99Latency().toNanos() / 1000);
    }
  }
}
