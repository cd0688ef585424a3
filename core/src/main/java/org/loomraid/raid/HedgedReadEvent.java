package org.loomraid.raid;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code org.loomraid.HedgedRead}: a read that was sent to a second backend because the
 * first had not answered in time; the event lasts from the hedge to the end of the attempt (its
 * {@code delay} field says how long the first backend had had before).
 */
@Name(HedgedReadEvent.NAME)
@Label("RAID Hedged Read")
@Category({"loomraid", "RAID"})
@Description("A read sent to a second backend because the first had not answered in time")
@StackTrace(false)
final class HedgedReadEvent extends Event {

  static final String NAME = "org.loomraid.HedgedRead";

  @Label("RAID")
  String raid;

  @Label("Operation")
  String operation;

  @Label("First")
  @Description("The backend the read went to first")
  String first;

  @Label("Second")
  @Description("The backend the hedge went to")
  String second;

  @Label("Answered By")
  @Description("The backend whose answer the caller got; empty if neither answered")
  String answeredBy;

  @Label("Delay")
  @Description("How long the first backend had before the hedge was sent")
  @Timespan(Timespan.NANOSECONDS)
  long delay;

  /** Returns whether a recording wants this event now (costs nothing when none does). */
  static boolean wanted() {
    return new HedgedReadEvent().isEnabled();
  }
}
