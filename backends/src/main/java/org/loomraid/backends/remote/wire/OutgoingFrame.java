package org.loomraid.backends.remote.wire;

/**
 * An encoded frame ready to be written: {@code bytes[0, length)} hold the length field, the header
 * and the payload.
 *
 * @param requestId the request id in the header
 * @param bytes the buffer holding the frame
 * @param length how many bytes of {@code bytes} the frame takes
 */
public record OutgoingFrame(long requestId, byte[] bytes, int length) {}
