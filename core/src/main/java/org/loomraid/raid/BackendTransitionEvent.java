package org.loomraid.raid;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code org.loomraid.BackendTransition}: one state change of one backend. */
@Name(BackendTransitionEvent.NAME)
@Label("RAID Backend Transition")
@Category({"loomraid", "RAID"})
@Description("One state change of one backend of a RAID, with its reason")
@StackTrace(false)
final class BackendTransitionEvent extends Event {

  static final String NAME = "org.loomraid.BackendTransition";

  @Label("RAID")
  String raid;

  @Label("Backend")
  String backend;

  @Label("From")
  @Description("The state before; empty when the backend entered the RAID")
  String from;

  @Label("To")
  String to;

  @Label("Reason")
  String reason;

  /** Returns whether a recording wants this event now (costs nothing when none does). */
  static boolean wanted() {
    return new BackendTransitionEvent().isEnabled();
  }
}
