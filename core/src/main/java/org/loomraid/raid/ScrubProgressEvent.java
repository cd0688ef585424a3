package org.loomraid.raid;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code org.loomraid.ScrubProgress}: where one scrub (the comparison of every optimal
 * backend's history) is, at each change of phase and after each batch it compared.
 */
@Name(ScrubProgressEvent.NAME)
@Label("RAID Scrub Progress")
@Category({"loomraid", "RAID"})
@Description("Where one scrub of a RAID is: at each change of phase and after each batch")
@StackTrace(false)
final class ScrubProgressEvent extends Event {

  static final String NAME = "org.loomraid.ScrubProgress";

  @Label("RAID")
  String raid;

  @Label("Phase")
  String phase;

  @Label("Transactions Compared")
  long transactionsCompared;

  @Label("Transactions Total")
  @Description("Transactions to compare, as known now (grows while writers commit)")
  long transactionsTotal;

  @Label("Bytes Compared")
  @DataAmount(DataAmount.BYTES)
  long bytesCompared;

  @Label("Bytes Total")
  @DataAmount(DataAmount.BYTES)
  long bytesTotal;

  @Label("Rate")
  @Description("The mean comparison rate so far")
  @DataAmount(DataAmount.BYTES)
  @Frequency
  double bytesPerSecond;

  @Label("Elapsed")
  @Timespan(Timespan.NANOSECONDS)
  long elapsed;

  @Label("Failure")
  @Description("Why it failed or was cancelled; empty otherwise")
  String failure;

  /** Returns whether a recording wants this event now (costs nothing when none does). */
  static boolean wanted() {
    return new ScrubProgressEvent().isEnabled();
  }
}
