package org.loomraid.backends.remote;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** Reads and writes the preamble and frames; checks every frame's length before allocating. */
final class FrameIo {

  private FrameIo() {}

  /** Writes the client's preamble: magic, {@code version}, two reserved zero bytes. */
  static void writePreamble(OutputStream out, int version) throws IOException {
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
  static int readPreamble(InputStream in) throws IOException {
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
          "bad magic 0x%08x (expected 0x%08x, \"LMRD\"): not a loomraid client", magic, Protocol.MAGIC));
    }
    return ((bytes[4] & 0xFF) << 8) | (bytes[5] & 0xFF);
  }

  /**
   * Reads one frame.
   *
   * @param in the stream
   * @param maxLength the largest length field accepted
   * @param socket if not null, its read timeout is set to {@code frameTimeoutMillis} once a frame
   *     has started, so a peer cannot hold a half-sent frame open forever, and reset to 0 after
   * @return the frame, or null if the stream ended cleanly before a frame began
   * @throws ProtocolViolationException if the frame is too short, too large or truncated
   */
  static Frame read(InputStream in, int maxLength, Socket socket, int frameTimeoutMillis)
      throws IOException {
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
      byte[] payload = new byte[length - Protocol.HEADER_LENGTH];
      requireFully(in, payload, 0, payload.length, "payload of a frame of " + length + " bytes");
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
  static void write(OutputStream out, OutgoingFrame frame) throws IOException {
    out.write(frame.bytes(), 0, frame.length());
  }

  private static void requireFully(InputStream in, byte[] bytes, int offset, int length, String what)
      throws IOException {
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
      int n;
      try {
        n = in.read(bytes, offset + total, length - total);
      } catch (EOFException e) {
        n = -1;
      }
      if (n < 0) {
        return total;
      }
      total += n;
    }
    return total;
  }
}
