package org.loomraid.raid;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code org.loomraid.Commit}: one transaction of a RAID, from {@code vote()} to the end
 * of {@code commit()} or {@code abort()} (the event's duration, the client's time between the
 * phases included), with the time of each phase.
 */
@Name(CommitEvent.NAME)
@Label("RAID Commit")
@Category({"loomraid", "RAID"})
@Description("One transaction of a RAID, from vote to the end of commit or abort, with the time"
    + " of each phase")
@StackTrace(false)
final class CommitEvent extends Event {

  static final String NAME = "org.loomraid.Commit";

  @Label("RAID")
  String raid;

  @Label("Transaction")
  @Description("The tid chosen at vote, 0 if the vote failed before choosing one")
  long tid;

  @Label("Backends")
  @Description("How many backends took part in the vote")
  int backends;

  @Label("Applied")
  @Description("How many backends applied the commit")
  int applied;

  @Label("Lock Wait")
  @Description("Waiting for the RAID commit lock")
  @Timespan(Timespan.NANOSECONDS)
  long lockWait;

  @Label("Vote")
  @Description("The vote fan-out: begin, stores and vote on every backend")
  @Timespan(Timespan.NANOSECONDS)
  long vote;

  @Label("Commit")
  @Description("The commit fan-out and what the caller is told")
  @Timespan(Timespan.NANOSECONDS)
  long commit;

  @Label("Outcome")
  @Description("committed, aborted, or the simple name of the exception the caller got")
  String outcome;

  /** When the phase being timed began (not recorded: the transaction's own bookkeeping). */
  transient long phaseStart;

  /** Returns whether a recording wants this event now (costs nothing when none does). */
  static boolean wanted() {
    return new CommitEvent().isEnabled();
  }
}
