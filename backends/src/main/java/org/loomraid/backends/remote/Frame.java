package org.loomraid.backends.remote;

/**
 * A frame as read from the wire: its request id, its code (an {@link Op} in a request, a status in
 * a response) and its payload.
 */
record Frame(long requestId, int code, byte[] payload) {

  /** Returns a reader over the payload. */
  PayloadReader reader() {
    return new PayloadReader(payload);
  }
}
