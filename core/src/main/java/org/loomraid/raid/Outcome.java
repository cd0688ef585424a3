package org.loomraid.raid;

import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.StorageException;

/**
 * How one slot of a fan-out ended: the outcome model the whole engine follows (see the package
 * documentation). Classified once, in {@link #of(Throwable)}, and read in one place,
 * {@link Verdict}.
 */
enum Outcome {
  /** The call returned a value. */
  SUCCESS,
  /** It threw a {@link StorageException}: an answer from a healthy backend. */
  ANSWER,
  /**
   * It threw {@link IllegalArgumentException} (a {@code LimitExceededException} among them) or
   * {@link NullPointerException}: the request itself was refused, not the backend's failure.
   */
  CALLER_ERROR,
  /** It threw anything else: the backend failed. */
  FAILURE,
  /** It was called but did not end within its deadline: the backend failed. */
  NO_RESPONSE,
  /**
   * Its thread never got to call the backend before the round gave up on it: the JVM was too busy
   * to run it. Not the backend's failure.
   */
  NOT_REACHED,
  /** It threw {@link CommitOutcomeUnknownException}: the backend does not know its own outcome. */
  IN_DOUBT,
  /** The RAID's own code inside the slot threw: the RAID's bug or the caller's error. */
  RAID_ERROR,
  /** It threw a {@link VirtualMachineError}: nobody's answer; rethrown to the caller. */
  FATAL;

  /** Returns whether this outcome takes part in the vote (a value or a refusal). */
  boolean votes() {
    return this == SUCCESS || this == ANSWER || this == CALLER_ERROR;
  }

  /** Returns whether this outcome is the backend's failure: it is then taken out of service. */
  boolean blamesBackend() {
    return this == FAILURE || this == NO_RESPONSE || this == IN_DOUBT;
  }

  /** Returns whether the call ran to an end within its deadline. */
  boolean finished() {
    return this != NO_RESPONSE && this != NOT_REACHED;
  }

  /** Classifies what a finished call threw ({@code null}: it returned). */
  static Outcome of(Throwable error) {
    return switch (error) {
      case null -> SUCCESS;
      case Round.RaidSideException e -> RAID_ERROR;
      case StorageException e -> ANSWER;
      case CommitOutcomeUnknownException e -> IN_DOUBT;
      case IllegalArgumentException e -> CALLER_ERROR;
      case NullPointerException e -> CALLER_ERROR;
      case VirtualMachineError e -> FATAL;
      default -> FAILURE;
    };
  }
}
