package org.loomraid.raid;

import java.util.List;

/**
 * The JMX view of one RAID, registered as {@code org.loomraid:type=Raid,name=<raid>} in the
 * platform MBean server while the RAID is open: its status, per-backend details, the last scrub, and
 * the operator actions disable, recover and scrub. The same as {@link RaidAdmin}, in JMX open types.
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
   * Starts a scrub, resuming one that stopped midway; see {@link RaidAdmin#scrub(boolean)}. Follow
   * it with the {@code Scrub} attribute.
   *
   * @param repair whether to recover the backends found diverged from the majority
   * @return a line saying that it started
   */
  String scrub(boolean repair);

  /**
   * Cancels the running scrub; the next one resumes where it stopped.
   *
   * @return a line saying what happened
   */
  String cancelScrub();

  /** Returns the running scrub, or the last one; with an empty phase if none has run. */
  ScrubDetails getScrub();

  /**
   * One scrub, in JMX open types; see {@link ScrubProgress}.
   *
   * @param phase its {@link ScrubPhase}, by name, or empty if no scrub has run
   * @param repair whether it repairs
   * @param backends the backends it compares, comma-separated
   * @param position the last transaction compared (tid value; 0 for none)
   * @param end the last transaction it compares (tid value)
   * @param transactionsCompared transactions compared so far
   * @param transactionsTotal transactions to compare, as estimated at its start
   * @param bytesCompared object data bytes compared so far
   * @param bytesTotal object data bytes to compare, as estimated at its start
   * @param bytesPerSecond its mean rate
   * @param elapsedMillis time since it started, in milliseconds
   * @param differences transactions at which backends disagreed
   * @param findings what it found, one line each
   * @param failure why it failed or was cancelled, or empty
   */
  record ScrubDetails(String phase, boolean repair, String backends, long position, long end,
      long transactionsCompared, long transactionsTotal, long bytesCompared, long bytesTotal,
      double bytesPerSecond, long elapsedMillis, long differences, List<String> findings,
      String failure) {

    static ScrubDetails none() {
      return new ScrubDetails("", false, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), "");
    }

    static ScrubDetails of(ScrubProgress p) {
      return new ScrubDetails(p.phase().name(), p.repair(), String.join(",", p.backends()),
          p.position().value(), p.end().value(), p.transactionsCompared(), p.transactionsTotal(),
          p.bytesCompared(), p.bytesTotal(), p.bytesPerSecond(), p.elapsed().toMillis(),
          p.differences(), p.findings().stream().map(ScrubFinding::describe).toList(),
          p.failure());
    }
  }

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
