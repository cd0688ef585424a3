package org.loomraid.storage;

/**
 * A commit whose outcome is unknown: the transaction may or may not have committed. Thrown by
 * {@link StorageTransaction#commit()} when the storage cannot tell, for example when the reply to a
 * commit was lost, no backend of a RAID answered in time, or a write reached the device but its sync
 * failed. It is neither an answer nor a plain failure, and never means "not committed".
 *
 * <h2>Resolving it</h2>
 * The exception carries the transaction's {@link #tid()}. Once the storage answers again (for a RAID:
 * after its backends are back in service or recovered), ask it: the transaction committed if and only
 * if {@link Storage#loadSerial(Oid, Tid)} finds a revision with that serial for an object the
 * transaction wrote, or equivalently if {@link Storage#transactions(Tid)} started just before the
 * tid returns a transaction with exactly that tid. Until then, do not retry the transaction blindly:
 * if it committed, a retry would write it twice (a retry that re-reads its objects first is safe, as
 * the serials it expects then tell).
 */
public class CommitOutcomeUnknownException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Tid tid;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the storage
   * @param tid the transaction's tid, or {@link Tid#NONE} if even that is unknown
   * @param cause what made the outcome unknown, or null
   */
  public CommitOutcomeUnknownException(String message, Tid tid, Throwable cause) {
    super(message, cause);
    this.tid = tid == null ? Tid.NONE : tid;
  }

  /** Returns the tid of the transaction in doubt, or {@link Tid#NONE} if it is not known. */
  public Tid tid() {
    return tid;
  }
}
