package org.loomraid.raid;

/**
 * How to run a scrub ({@link RaidAdmin#scrub(ScrubOptions)}).
 *
 * <pre>{@code
 * admin.scrub(ScrubOptions.COMPARE);                // compare, resuming a scrub that stopped
 * admin.scrub(ScrubOptions.REPAIR.startingOver());  // compare everything again, and repair
 * }</pre>
 *
 * @param repair whether a backend found diverged from the majority is recovered from it (otherwise
 *     it is only taken out of service)
 * @param fromStart whether to compare from the first transaction even if an earlier scrub stopped
 *     midway (otherwise the scrub continues after the last transaction that one compared)
 */
public record ScrubOptions(boolean repair, boolean fromStart) {

  /** Compare and take a diverged backend out of service; resume where a scrub stopped. */
  public static final ScrubOptions COMPARE = new ScrubOptions(false, false);

  /** Compare, take a diverged backend out of service and recover it; resume where one stopped. */
  public static final ScrubOptions REPAIR = new ScrubOptions(true, false);

  /** Returns these options, comparing from the first transaction. */
  public ScrubOptions startingOver() {
    return new ScrubOptions(repair, true);
  }
}
