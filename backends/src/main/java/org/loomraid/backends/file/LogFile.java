package org.loomraid.backends.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.loomraid.storage.DataRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open log file and its index: a pool of read handles, the append handle, and where the valid
 * data ends.
 *
 * <p><b>Interrupts.</b> All I/O goes through {@link RandomAccessFile}, never through a
 * {@code FileChannel}: interrupting a thread blocked in channel I/O closes the channel for every
 * thread, whereas {@code RandomAccessFile} reads, writes and {@code getFD().sync()} ignore
 * interrupts (checked on JDK 17 and 25, platform and virtual threads, by
 * {@code InterruptTest}). An interrupted reader therefore finishes its read, and nothing it
 * shares with other threads is closed. Positional reads use one handle per concurrent reader
 * ({@code seek} then {@code read}), pooled.
 *
 * <p><b>Retirement.</b> When pack swaps in a new file, or the storage closes, the file is
 * retired: idle handles are closed, borrowed ones when they come back, and no new handle opens.
 * A reader that already holds a handle keeps reading the old file (an open handle keeps the
 * renamed-over file alive); one that cannot borrow gets {@code null} and retries on the new file.
 * {@link #openLock} orders opening handles against retirement and the rename that makes this
 * path name another file.
 *
 * <p>Threading: reads from any thread; the append handle and {@link #end} are used only under the
 * storage's append lock.
 */
final class LogFile {

  private static final Logger LOG = LoggerFactory.getLogger(LogFile.class);
  private static final int MAX_IDLE_HANDLES = 16;

  private final LogIndex index;
  private final RandomAccessFile appender;
  private final ConcurrentLinkedQueue<RandomAccessFile> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();

  /** Guards opening read handles by path against retirement and renames. */
  private final ReentrantLock openLock = new ReentrantLock();

  private volatile Path path;
  private volatile boolean retired;

  /** The end of the last complete unit; where the next one is written. Append lock. */
  private long end;

  /**
   * @param path the file's current name
   * @param index its index
   * @param appender the handle to append with, or null if read-only
   * @param end where the valid data ends
   */
  LogFile(Path path, LogIndex index, RandomAccessFile appender, long end) {
    this.path = path;
    this.index = index;
    this.appender = appender;
    this.end = end;
  }

  LogIndex index() {
    return index;
  }

  Path path() {
    return path;
  }

  /** Where the valid data ends. Append lock. */
  long end() {
    return end;
  }

  /**
   * Writes {@code bytes} at {@link #end()} with one write call; {@link #advance} makes them part
   * of the log. Append lock.
   */
  void write(byte[] bytes) throws IOException {
    appender.seek(end);
    appender.write(bytes);
  }

  /** Moves the end past a unit that was written (and synced, if the policy says so). Append lock. */
  void advance(int length) {
    end += length;
  }

  /** Cuts the file back to {@link #end()} after a failed append; syncs. Append lock. */
  void truncateToEnd() throws IOException {
    appender.setLength(end);
    appender.getFD().sync();
  }

  /** Flushes the file's data and metadata to the device. Append lock. */
  void sync() throws IOException {
    appender.getFD().sync();
  }

  /**
   * Runs {@code read} with a read handle of this file.
   *
   * @return its result (never null), or null if the file is retired: retry on the current file
   */
  <T> T read(HandleRead<T> read) throws IOException {
    RandomAccessFile handle = borrow();
    if (handle == null) {
      return null;
    }
    boolean healthy = false;
    try {
      T result = read.apply(handle);
      healthy = true;
      return result;
    } finally {
      if (healthy) {
        giveBack(handle);
      } else {
        closeQuietly(handle);
      }
    }
  }

  /**
   * Reads the data of the record at {@code location} (from the index) and verifies that it
   * belongs to {@code oid} and matches its checksum.
   *
   * @return the data, or null if the file is retired: retry on the current file
   * @throws CorruptLogException if the record does not match
   */
  byte[] readRecord(long oid, long location) throws IOException {
    long offset = LogIndex.offsetOf(location);
    int knownLength = LogIndex.lengthOf(location);
    return read(handle -> {
      handle.seek(offset);
      byte[] data;
      ByteBuffer header;
      if (knownLength != LogIndex.LENGTH_UNKNOWN) {
        byte[] record = new byte[LogFormat.RECORD_HEADER_LENGTH + knownLength];
        handle.readFully(record);
        header = ByteBuffer.wrap(record, 0, LogFormat.RECORD_HEADER_LENGTH);
        data = Arrays.copyOfRange(record, LogFormat.RECORD_HEADER_LENGTH, record.length);
      } else {
        byte[] head = new byte[LogFormat.RECORD_HEADER_LENGTH];
        handle.readFully(head);
        header = ByteBuffer.wrap(head);
        int length = header.getInt(8);
        if (length < LogIndex.LENGTH_UNKNOWN || length > DataRecord.MAX_DATA_LENGTH) {
          throw new CorruptLogException(path, offset, "record of oid " + oid
              + " has length " + length + ", the index expects at least " + LogIndex.LENGTH_UNKNOWN);
        }
        data = new byte[length];
        handle.readFully(data);
      }
      long storedOid = header.getLong(0);
      int storedLength = header.getInt(8);
      if (storedOid != oid || storedLength != data.length) {
        throw new CorruptLogException(path, offset, "record header names oid " + storedOid
            + " with " + storedLength + " bytes, the index expects oid " + oid + " with "
            + data.length);
      }
      if (LogFormat.crc(data, 0, data.length) != header.getInt(12)) {
        throw new CorruptLogException(path, offset, "data of oid " + oid
            + " does not match its checksum");
      }
      return data;
    });
  }

  /** Lends a read handle to a long reader (an iterator); null if retired. */
  RandomAccessFile borrow() throws IOException {
    RandomAccessFile handle = idle.poll();
    if (handle != null) {
      idleCount.decrementAndGet();
      return handle;
    }
    openLock.lock();
    try {
      return retired ? null : new RandomAccessFile(path.toFile(), "r");
    } finally {
      openLock.unlock();
    }
  }

  /** Takes back a handle from {@link #borrow()}; closes it if retired or the pool is full. */
  void giveBack(RandomAccessFile handle) {
    if (retired || idleCount.get() >= MAX_IDLE_HANDLES) {
      closeQuietly(handle);
      return;
    }
    idleCount.incrementAndGet();
    idle.offer(handle);
    if (retired && idle.remove(handle)) {
      idleCount.decrementAndGet();
      closeQuietly(handle);
    }
  }

  /** Renames the file to {@code target} (atomically replacing it); then opens handles there. */
  void renameTo(Path target, FileMove move) throws IOException {
    openLock.lock();
    try {
      move.move(path, target);
      path = target;
    } finally {
      openLock.unlock();
    }
  }

  /**
   * Retires this file while {@code swap} runs (e.g. the rename that makes this file's name point
   * to its successor): no handle opens by name in between. If {@code swap} throws, the file is
   * not retired.
   */
  void retireDuring(IoAction swap) throws IOException {
    openLock.lock();
    try {
      swap.run();
      retired = true;
    } finally {
      openLock.unlock();
    }
    closeIdleHandles();
  }

  /** Retires this file and closes its append handle (storage close, failed pack). */
  void close() {
    openLock.lock();
    try {
      retired = true;
    } finally {
      openLock.unlock();
    }
    closeIdleHandles();
    if (appender != null) {
      closeQuietly(appender);
    }
  }

  /** Closes the append handle of a file that was retired by {@link #retireDuring}. */
  void closeAppender() {
    if (appender != null) {
      closeQuietly(appender);
    }
  }

  private void closeIdleHandles() {
    RandomAccessFile handle;
    while ((handle = idle.poll()) != null) {
      idleCount.decrementAndGet();
      closeQuietly(handle);
    }
  }

  private void closeQuietly(RandomAccessFile handle) {
    try {
      handle.close();
    } catch (IOException e) {
      LOG.debug("closing a handle of {} failed", path, e);
    }
  }

  /** A read done with one borrowed handle. */
  @FunctionalInterface
  interface HandleRead<T> {
    T apply(RandomAccessFile handle) throws IOException;
  }

  /** An I/O step run under the open lock. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  /** Moves a file atomically. */
  @FunctionalInterface
  interface FileMove {
    void move(Path from, Path to) throws IOException;
  }
}
