package org.loomraid.raid;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code org.loomraid.SlotOutcome}: how one call of a RAID to one backend ended, as the
 * outcome model classified it. One per backend per fan-out and per read; the backends' own calls
 * made by startup, closing and recovery are not included (recovery has its own event).
 */
@Name(SlotOutcomeEvent.NAME)
@Label("RAID Backend Call")
@Category({"loomraid", "RAID"})
@Description("How one call of a RAID to one backend ended, as the outcome model classified it")
@StackTrace(false)
final class SlotOutcomeEvent extends Event {

  static final String NAME = "org.loomraid.SlotOutcome";

  @Label("RAID")
  String raid;

  @Label("Backend")
  String backend;

  @Label("Operation")
  @Description("The operation of the fan-out or read: vote, commit, load, lastTransaction, ...")
  String operation;

  @Label("Stage")
  @Description("The step of the operation the call was in when it ended: begin, store, vote, ...")
  String stage;

  @Label("Outcome")
  @Description("SUCCESS, ANSWER, CALLER_ERROR, FAILURE, NO_RESPONSE, NOT_REACHED, IN_DOUBT,"
      + " RAID_ERROR or FATAL")
  String outcome;

  @Label("Call Duration")
  @Description("How long the call took; for no response, the deadline; 0 if not reached")
  @Timespan(Timespan.NANOSECONDS)
  long callDuration;

  /** Returns whether a recording wants this event now (costs nothing when none does). */
  static boolean wanted() {
    return new SlotOutcomeEvent().isEnabled();
  }
}
