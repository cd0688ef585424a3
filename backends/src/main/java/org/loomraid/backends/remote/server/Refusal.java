package org.loomraid.backends.remote.server;

import org.loomraid.backends.remote.wire.ErrorType;

/** Thrown inside the server to refuse a request with a protocol error type (not a storage error). */
final class Refusal extends RuntimeException {

  private static final long serialVersionUID = 1L;

  final transient ErrorType type;

  Refusal(ErrorType type, String message) {
    super(message, null, false, false);
    this.type = type;
  }
}
