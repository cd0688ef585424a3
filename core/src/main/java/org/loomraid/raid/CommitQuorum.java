package org.loomraid.raid;

/**
 * How many backends must commit a transaction before the RAID acknowledges it (returns its tid from
 * {@code commit()}).
 *
 * <p>Whatever the quorum, a transaction is committed on every backend whose commit succeeded, and
 * the RAID's last transaction advances as soon as one backend committed it. The quorum decides what
 * the caller is told when fewer backends than it asks committed: with {@link #ONE} that is still an
 * acknowledgement; with {@link #MAJORITY} it is a
 * {@link org.loomraid.storage.CommitOutcomeUnknownException}: the commit may or may not survive, as
 * the backends holding it are too few to outvote the others.
 */
public enum CommitQuorum {
  /**
   * Acknowledged once any backend committed it (the default). With {@link Redundancy#MAJORITY}, a
   * commit that leaves fewer than a majority of backends in service is still acknowledged, and the
   * RAID then fails (its {@link FailMode} applies) right after.
   */
  ONE,
  /**
   * Acknowledged only once more than half of the configured backends committed it, else in doubt. A
   * vote that reaches too few backends to make a majority is refused before anything commits.
   */
  MAJORITY;

  /** Returns how many of {@code configured} backends must commit for an acknowledgement. */
  int required(int configured) {
    return this == ONE ? 1 : configured / 2 + 1;
  }
}
