package org.loomraid.backends.cli;

/** The command line is wrong: the message says what, and the command's usage follows it. */
final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
