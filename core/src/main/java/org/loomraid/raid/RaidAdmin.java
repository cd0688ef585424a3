package org.loomraid.raid;

import java.util.List;
import java.util.Optional;

/**
 * Operating a RAID: its status, per-backend details, and the operator's actions. From
 * {@link RaidStorage#admin()}; the same view is registered as the JMX MXBean
 * {@code org.loomraid:type=Raid,name=<raid>}.
 *
 * <p>Every backend action names a backend. An unknown name, an action the backend's state does not allow,
 * or one that would leave the RAID without an optimal backend is refused with an
 * {@link IllegalArgumentException} or {@link IllegalStateException} whose message says why, and
 * changes nothing. On a closed RAID every action throws {@link RaidClosedException}. Thread-safe.
 */
public interface RaidAdmin {

  /** Returns the RAID's status. */
  RaidStatus status();

  /** Returns a snapshot of every configured backend, in configuration order. */
  List<BackendInfo> backends();

  /**
   * Takes an OPTIMAL backend out of service: it becomes DEGRADED "disabled by operator" and is
   * closed. A RECOVERING backend's recovery is cancelled instead.
   *
   * @throws IllegalArgumentException if there is no such backend
   * @throws IllegalStateException if it is already DEGRADED, or it is the last optimal backend
   */
  void disable(String name);

  /**
   * Starts recovering a DEGRADED backend on its own virtual thread: reopen, verify, copy, catch
   * up, promote. The backend is RECOVERING meanwhile.
   *
   * @return a handle to follow, await or cancel the recovery
   * @throws IllegalArgumentException if there is no such backend
   * @throws IllegalStateException if it is not DEGRADED (already optimal or recovering)
   */
  RecoveryHandle recover(String name);

  /**
   * Adds a backend to the configuration. It enters DEGRADED "added" (and is recovered at once if
   * the RAID recovers automatically).
   *
   * @throws IllegalArgumentException if the name is blank or already used
   * @throws NullPointerException if an argument is null
   */
  void add(String name, StorageOpener opener);

  /**
   * Removes a backend from the configuration and closes it. A RECOVERING backend's recovery is
   * cancelled first.
   *
   * @throws IllegalArgumentException if there is no such backend
   * @throws IllegalStateException if it is the last optimal backend
   */
  void remove(String name);

  /**
   * Starts a scrub on its own virtual thread: reads every optimal backend's history in tid order
   * and compares tid, metadata and data across them, without the RAID commit lock, while writers
   * go on (it compares up to the last transaction settled on every backend when it starts).
   *
   * <p>At each transaction the backends that hold identical content form groups; a group larger
   * than half of the backends compared is the majority. A backend outside it (one whose data,
   * metadata or records differ, that lacks the transaction or holds one the others lack) is a
   * {@link ScrubFinding.Kind#DIVERGED} finding naming the first differing tid and object: it is taken
   * out of service, DEGRADED "diverged at …", and with {@link ScrubOptions#repair()} recovered from
   * the majority (a recovery verifies it again from the start, so one whose stored history itself
   * differs is refused, naming the tid: wipe it and recover it then). With no majority (two backends
   * that differ) the finding is {@link ScrubFinding.Kind#NO_MAJORITY}: reported, and nothing is
   * taken out of service or repaired. Records a pack dropped from some backends only are not a
   * divergence.
   *
   * <p>Only backends optimal when it starts are compared; one that leaves service meanwhile leaves
   * the comparison (with fewer than two left the scrub fails), one that enters service meanwhile
   * waits for the next scrub. A pack is refused while a scrub runs, and a scrub waits for a running
   * pack to end; recoveries run alongside. The rate is limited by
   * {@link RaidStorage.Builder#scrubRateLimit}. A scrub that stops before its end (cancelled,
   * failed) is resumed by the next one, from the last transaction it compared, unless
   * {@link ScrubOptions#fromStart()}.
   *
   * @return a handle to follow, await or cancel the scrub
   * @throws IllegalStateException if a scrub is running, or fewer than two backends are optimal
   * @throws NullPointerException if {@code options} is null
   */
  ScrubHandle scrub(ScrubOptions options);

  /**
   * Starts a scrub that compares and takes diverged backends out of service, resuming a scrub that
   * stopped midway; see {@link #scrub(ScrubOptions)}.
   */
  default ScrubHandle scrub() {
    return scrub(ScrubOptions.COMPARE);
  }

  /**
   * Starts a scrub that, if {@code repair}, also recovers the backends it finds diverged from the
   * majority; resumes a scrub that stopped midway. See {@link #scrub(ScrubOptions)}.
   */
  default ScrubHandle scrub(boolean repair) {
    return scrub(repair ? ScrubOptions.REPAIR : ScrubOptions.COMPARE);
  }

  /** Returns the running scrub, or the last one to have run since the RAID opened. */
  Optional<ScrubHandle> lastScrub();
}
