package org.loomraid.backends.remote.wire;

import java.io.IOException;

/**
 * The peer sent something the protocol does not allow: a bad preamble, a frame that is too large,
 * truncated or malformed, an unknown operation. The connection is closed.
 */
public final class ProtocolViolationException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Creates the violation with a message naming what was wrong. */
  public ProtocolViolationException(String message) {
    super(message);
  }
}
