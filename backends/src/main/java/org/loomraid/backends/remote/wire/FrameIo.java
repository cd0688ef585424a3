package org.loomraid.backends.remote.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * Reads and writes the preamble and frames. A frame's length is checked before anything is
 * allocated, and its payload buffer grows with the bytes that actually arrive (by at most
 * {@link Protocol#PAYLOAD_CHUNK} ahead of them), so announcing a large frame costs the peer as
 * many bytes as it makes the receiver hold.
 */
public final class FrameIo {

  /** Told when a frame's header has been read and its payload is being received. */
  @FunctionalInterface
  public interface HeaderListener {
    /** The header of a frame of {@code length} bytes (after the length field) has been read. */
    void headerRead(int length);
  }

  private static final HeaderListener NO_LISTENER = length -> { };

  private FrameIo() {}

  /** Writes the client's preamble: magic, {@code version}, two reserved zero bytes. */
  public static void writePreamble(OutputStream out, int version) throws IOException {
    int magic = Protocol.MAGIC;
    out.write(new byte[] {
      (byte) (magic >>> 24), (byte) (magic >>> 16), (byte) (magic >>> 8), (byte) magic,
      (byte) (version >>> 8), (byte) version, 0, 0
    });
    out.flush();
  }

  /**
   * Reads a preamble and returns the version it announces.
   *
   * @throws ProtocolViolationException if the magic is wrong or the stream ends early
   */
  public static int readPreamble(InputStream in) throws IOException {
    byte[] bytes = new byte[Protocol.PREAMBLE_LENGTH];
    int read = readFully(in, bytes, 0, bytes.length);
    if (read < bytes.length) {
      throw new ProtocolViolationException(
          "preamble truncated after " + read + " of " + bytes.length + " bytes");
    }
    int magic = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16)
        | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    if (magic != Protocol.MAGIC) {
      throw new ProtocolViolationException(String.format(
          "bad magic 0x%08x (expected 0x%08x, \"LMRD\"): not a loomraid client", magic,
          Protocol.MAGIC));
    }
    return ((bytes[4] & 0xFF) << 8) | (bytes[5] & 0xFF);
  }

  /** Reads one frame without a frame timeout; see {@link #read(InputStream, int, Socket, int, HeaderListener)}. */
  public static Frame read(InputStream in, int maxLength) throws IOException {
    return read(in, maxLength, null, 0, NO_LISTENER);
  }

  /**
   * Reads one frame.
   *
   * @param in the stream
   * @param maxLength the largest length field accepted
   * @param socket if not null, its read timeout is set to {@code frameTimeoutMillis} once a frame
   *     has started, so a peer cannot hold a half-sent frame open forever, and reset to 0 after
   * @param frameTimeoutMillis the bound on the rest of a frame once it has begun
   * @param listener told once the header has been read (not called for a frame refused earlier)
   * @return the frame, or null if the stream ended cleanly before a frame began
   * @throws ProtocolViolationException if the frame is too short, too large or truncated
   */
  public static Frame read(InputStream in, int maxLength, Socket socket, int frameTimeoutMillis,
      HeaderListener listener) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    if (socket != null) {
      socket.setSoTimeout(frameTimeoutMillis);
    }
    try {
      byte[] lengthBytes = new byte[4];
      lengthBytes[0] = (byte) first;
      requireFully(in, lengthBytes, 1, 3, "length field");
      int length = ((lengthBytes[0] & 0xFF) << 24) | ((lengthBytes[1] & 0xFF) << 16)
          | ((lengthBytes[2] & 0xFF) << 8) | (lengthBytes[3] & 0xFF);
      if (length < Protocol.HEADER_LENGTH) {
        throw new ProtocolViolationException(
            "frame length " + length + " is below the header size " + Protocol.HEADER_LENGTH);
      }
      if (length > maxLength) {
        throw new ProtocolViolationException(
            "frame length " + Integer.toUnsignedString(length) + " exceeds the limit of "
                + maxLength + " bytes");
      }
      byte[] header = new byte[Protocol.HEADER_LENGTH];
      requireFully(in, header, 0, header.length, "header of a frame of " + length + " bytes");
      long requestId = 0;
      for (int i = 0; i < 8; i++) {
        requestId = (requestId << 8) | (header[i] & 0xFF);
      }
      int code = header[8] & 0xFF;
      listener.headerRead(length);
      byte[] payload = readPayload(in, length - Protocol.HEADER_LENGTH, length);
      return new Frame(requestId, code, payload);
    } catch (SocketTimeoutException e) {
      throw new ProtocolViolationException(
          "frame not completed within " + frameTimeoutMillis + " ms");
    } finally {
      if (socket != null && !socket.isClosed()) {
        socket.setSoTimeout(0);
      }
    }
  }

  /** Writes a finished frame (without flushing). */
  public static void write(OutputStream out, OutgoingFrame frame) throws IOException {
    out.write(frame.bytes(), 0, frame.length());
  }

  /**
   * Reads {@code size} payload bytes into a buffer that starts at most one chunk large and doubles
   * only when full, so memory follows what has arrived, not what was announced.
   */
  private static byte[] readPayload(InputStream in, int size, int frameLength) throws IOException {
    byte[] payload = new byte[Math.min(size, Protocol.PAYLOAD_CHUNK)];
    int filled = 0;
    while (filled < size) {
      if (filled == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(size, 2L * payload.length));
      }
      int n = readSome(in, payload, filled, payload.length - filled);
      if (n < 0) {
        throw new ProtocolViolationException("truncated frame: stream ended after " + filled
            + " of " + size + " bytes of the payload of a frame of " + frameLength + " bytes");
      }
      filled += n;
    }
    return payload;
  }

  private static void requireFully(InputStream in, byte[] bytes, int offset, int length,
      String what) throws IOException {
    int read = readFully(in, bytes, offset, length);
    if (read < length) {
      throw new ProtocolViolationException(
          "truncated frame: stream ended after " + read + " of " + length + " bytes of the " + what);
    }
  }

  /** Reads up to {@code length} bytes; returns fewer only at the end of the stream. */
  private static int readFully(InputStream in, byte[] bytes, int offset, int length)
      throws IOException {
    int total = 0;
    while (total < length) {
      int n = readSome(in, bytes, offset + total, length - total);
      if (n < 0) {
        return total;
      }
      total += n;
    }
    return total;
  }

  private static int readSome(InputStream in, byte[] bytes, int offset, int length)
      throws IOException {
    try {
      return in.read(bytes, offset, length);
    } catch (EOFException e) {
      return -1;
    }
  }
}
