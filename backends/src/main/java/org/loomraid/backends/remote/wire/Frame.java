package org.loomraid.backends.remote.wire;

/**
 * A frame as read from the wire: its request id, its code (an {@link Op} in a request, a status in
 * a response) and its payload.
 *
 * @param requestId the request id the frame carries
 * @param code the operation (request) or status (response)
 * @param payload the payload bytes, exactly as long as the frame announced
 */
public record Frame(long requestId, int code, byte[] payload) {

  /** Returns a reader over the payload. */
  public PayloadReader reader() {
    return new PayloadReader(payload);
  }
}
