package org.loomraid.raid;

/** Where a recovery is; see {@link RecoveryHandle}. The last three are final. */
public enum RecoveryPhase {
  /** Opening a fresh instance of the backend from its opener. */
  OPENING,
  /** Comparing the backend's existing transactions (tid, meta and data) with an optimal source. */
  VERIFYING,
  /** Copying the missing transactions in bulk, without the RAID commit lock. */
  COPYING,
  /** Copying what writers committed meanwhile, repeatedly, until the lag is small. */
  CATCHING_UP,
  /** Under the RAID commit lock: copying the rest, aligning the OID counter, promoting. */
  PROMOTING,
  /** The backend is OPTIMAL. */
  DONE,
  /** The recovery failed; the backend is DEGRADED with the reason; a retry continues from here. */
  FAILED,
  /** The recovery was cancelled; the backend is DEGRADED; a retry continues from here. */
  CANCELLED;

  /** Returns whether the recovery has ended in this phase. */
  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }
}
