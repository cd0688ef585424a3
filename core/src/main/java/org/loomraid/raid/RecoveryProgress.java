package org.loomraid.raid;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of one recovery's progress.
 *
 * @param backend the backend being recovered
 * @param phase where it is
 * @param transactionsCopied transactions copied so far
 * @param transactionsTotal transactions to copy as known now (grows while writers commit)
 * @param bytesCopied object data bytes copied so far
 * @param bytesTotal object data bytes to copy as known now
 * @param elapsed time since the recovery started
 * @param bytesPerSecond the mean copy rate so far
 * @param failure why it failed or was cancelled, {@code ""} otherwise
 */
public record RecoveryProgress(
    String backend,
    RecoveryPhase phase,
    long transactionsCopied,
    long transactionsTotal,
    long bytesCopied,
    long bytesTotal,
    Duration elapsed,
    double bytesPerSecond,
    String failure) {

  /**
   * Creates a snapshot.
   *
   * @throws NullPointerException if an object argument is null
   */
  public RecoveryProgress {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(failure, "failure");
  }
}
