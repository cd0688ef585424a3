package org.loomraid.jmh;

/** A command-line option the comparison runner cannot accept; the message names the option. */
final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
