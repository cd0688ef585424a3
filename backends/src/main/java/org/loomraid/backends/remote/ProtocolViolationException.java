package org.loomraid.backends.remote;

import java.io.IOException;

/**
 * The peer sent something the protocol does not allow: a bad preamble, a frame that is too large,
 * truncated or malformed, an unknown operation. The connection is closed.
 */
final class ProtocolViolationException extends IOException {

  private static final long serialVersionUID = 1L;

  ProtocolViolationException(String message) {
    super(message);
  }
}
