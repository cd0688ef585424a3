package org.loomraid.raid;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.loomraid.storage.Tid;

/**
 * A snapshot of one scrub: how far it got and what it found.
 *
 * @param phase where it is
 * @param repair whether it repairs the backends it finds diverged
 * @param backends the backends it compares: those optimal when it started, in configuration order
 * @param resumedAfter the transaction after which it started: {@link Tid#NONE} for a scrub from the
 *     first transaction, else the last one a scrub that stopped midway had compared
 * @param end the last transaction it compares: the RAID's last settled commit when it started
 *     (transactions committed since are for the next scrub)
 * @param position the last transaction compared so far ({@code resumedAfter} before the first)
 * @param transactionsCompared transactions compared so far (each tid any backend holds, once)
 * @param transactionsTotal transactions to compare, as estimated when it started
 * @param bytesCompared object data bytes compared so far (each transaction's data counted once,
 *     however many backends hold it)
 * @param bytesTotal object data bytes to compare, as estimated when it started
 * @param elapsed time since it started
 * @param bytesPerSecond the mean comparison rate so far
 * @param findings what it found, in the order found (at most {@link #MAX_FINDINGS})
 * @param differences transactions at which the backends compared disagreed: once per diverged
 *     backend, and every transaction without a majority (beyond the findings listed)
 * @param recordsDroppedByPack records that some backends hold and others lack where each backend
 *     lacking one holds a later revision of its object (a pack dropped it there): not a divergence,
 *     as no read the pack contract guarantees differs
 * @param left the backends that left the comparison before its end, with when and why (taken out of
 *     service meanwhile, or unreadable); a backend found diverged is in the findings instead
 * @param repairs the recoveries it started to repair diverged backends, with their progress
 * @param failure why it failed or was cancelled, {@code ""} otherwise
 */
public record ScrubProgress(
    ScrubPhase phase,
    boolean repair,
    List<String> backends,
    Tid resumedAfter,
    Tid end,
    Tid position,
    long transactionsCompared,
    long transactionsTotal,
    long bytesCompared,
    long bytesTotal,
    Duration elapsed,
    double bytesPerSecond,
    List<ScrubFinding> findings,
    long differences,
    long recordsDroppedByPack,
    Map<String, String> left,
    List<RecoveryProgress> repairs,
    String failure) {

  /** The most findings a scrub lists; {@link #differences()} counts beyond them. */
  public static final int MAX_FINDINGS = 100;

  /**
   * Creates a snapshot; copies the lists and the map.
   *
   * @throws NullPointerException if an object argument is null
   */
  public ScrubProgress {
    Objects.requireNonNull(phase, "phase");
    backends = List.copyOf(backends);
    Objects.requireNonNull(resumedAfter, "resumedAfter");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(elapsed, "elapsed");
    findings = List.copyOf(findings);
    left = Collections.unmodifiableMap(new LinkedHashMap<>(left));
    repairs = List.copyOf(repairs);
    Objects.requireNonNull(failure, "failure");
  }

  /**
   * Returns whether the scrub ran to its end and found every backend it compared in agreement
   * through its end transaction.
   */
  public boolean consistent() {
    return phase == ScrubPhase.DONE && differences == 0 && left.isEmpty();
  }
}
