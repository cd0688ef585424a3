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
 * JFR event {@code org.loomraid.RecoveryProgress}: where one recovery is, at each change of phase
 * and after each batch it copied.
 */
@Name(RecoveryProgressEvent.NAME)
@Label("RAID Recovery Progress")
@Category({"loomraid", "RAID"})
@Description("Where one recovery of a backend is: at each change of phase and after each batch")
@StackTrace(false)
final class RecoveryProgressEvent extends Event {

  static final String NAME = "org.loomraid.RecoveryProgress";

  @Label("RAID")
  String raid;

  @Label("Backend")
  String backend;

  @Label("Phase")
  String phase;

  @Label("Transactions Copied")
  long transactionsCopied;

  @Label("Transactions Total")
  @Description("Transactions to copy, as known now (grows while writers commit)")
  long transactionsTotal;

  @Label("Bytes Copied")
  @DataAmount(DataAmount.BYTES)
  long bytesCopied;

  @Label("Bytes Total")
  @DataAmount(DataAmount.BYTES)
  long bytesTotal;

  @Label("Rate")
  @Description("The mean copy rate so far")
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
    return new RecoveryProgressEvent().isEnabled();
  }
}
