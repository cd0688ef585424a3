package org.loomraid.backends.file;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.zip.CRC32C;

/**
 * Reads a log file sequentially through a window buffer, so that scanning many small units costs
 * one system call per window rather than several per unit. Reads through a
 * {@link RandomAccessFile}, whose I/O an interrupt cannot break. Used by one thread at a time.
 */
final class LogReader {

  private final RandomAccessFile file;
  private final long limit;
  private final byte[] window;
  private long windowStart;
  private int windowLength;

  /**
   * @param file the file to read (its file pointer is moved freely)
   * @param limit the end of the readable region (usually the file length)
   * @param windowSize the buffer size
   */
  LogReader(RandomAccessFile file, long limit, int windowSize) {
    this.file = file;
    this.limit = limit;
    this.window = new byte[windowSize];
  }

  /** The end of the readable region. */
  long limit() {
    return limit;
  }

  /** The window buffer; valid bytes for a position are at the index {@link #fill} returned. */
  byte[] buffer() {
    return window;
  }

  int windowSize() {
    return window.length;
  }

  /**
   * Makes {@code [position, position + length)} available in {@link #buffer()} and returns the
   * index where {@code position} is.
   *
   * @throws EOFException if the range passes {@link #limit()}
   * @throws IllegalArgumentException if {@code length} exceeds the window size
   */
  int fill(long position, int length) throws IOException {
    if (length > window.length) {
      throw new IllegalArgumentException("range of " + length + " exceeds window " + window.length);
    }
    if (position + length > limit) {
      throw new EOFException("range [" + position + ", " + (position + length)
          + ") passes the end of the log at " + limit);
    }
    if (position >= windowStart && position + length <= windowStart + windowLength) {
      return (int) (position - windowStart);
    }
    int wanted = (int) Math.min(window.length, limit - position);
    file.seek(position);
    file.readFully(window, 0, wanted);
    windowStart = position;
    windowLength = wanted;
    return 0;
  }

  /** Feeds {@code [position, position + length)} to {@code crc}, a window at a time. */
  void updateCrc(CRC32C crc, long position, long length) throws IOException {
    long at = position;
    long remaining = length;
    while (remaining > 0) {
      int chunk = (int) Math.min(remaining, window.length);
      int index = fill(at, chunk);
      crc.update(window, index, chunk);
      at += chunk;
      remaining -= chunk;
    }
  }

  /** Copies {@code [position, position + length)} into a new array. */
  byte[] copy(long position, int length) throws IOException {
    byte[] out = new byte[length];
    if (length <= window.length) {
      System.arraycopy(window, fill(position, length), out, 0, length);
    } else {
      if (position + length > limit) {
        throw new EOFException("range passes the end of the log at " + limit);
      }
      file.seek(position);
      file.readFully(out);
    }
    return out;
  }

  int getInt(long position) throws IOException {
    int i = fill(position, 4);
    return ((window[i] & 0xFF) << 24) | ((window[i + 1] & 0xFF) << 16)
        | ((window[i + 2] & 0xFF) << 8) | (window[i + 3] & 0xFF);
  }

  long getLong(long position) throws IOException {
    return ((long) getInt(position) << 32) | (getInt(position + 4) & 0xFFFFFFFFL);
  }
}
