package org.loomraid.backends.remote;

/**
 * An encoded frame ready to be written: {@code bytes[0, length)} hold the length field, the header
 * and the payload.
 */
record OutgoingFrame(long requestId, byte[] bytes, int length) {}
