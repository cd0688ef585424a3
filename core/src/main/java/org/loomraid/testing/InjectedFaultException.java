package org.loomraid.testing;

/**
 * The failure {@link FaultyStorage} throws by default: a plain runtime exception, so to a RAID it
 * is a backend failure, not an answer.
 */
public class InjectedFaultException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the failure with a message naming the operation and the storage. */
  public InjectedFaultException(String message) {
    super(message);
  }
}
