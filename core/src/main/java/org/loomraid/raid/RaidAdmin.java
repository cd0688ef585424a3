package org.loomraid.raid;

import java.util.List;

/**
 * Operating a RAID: its status, per-backend details, and the operator's actions. From
 * {@link RaidStorage#admin()}; the same view is registered as the JMX MXBean
 * {@code org.loomraid:type=Raid,name=<raid>}.
 *
 * <p>Every action names a backend. An unknown name, an action the backend's state does not allow,
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
}
