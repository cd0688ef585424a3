package org.loomraid.backends.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * Writes the packed copy of a log into a temporary file: every unit of the old file, verified as
 * it is read, with the dropped records left out (a transaction that loses records is re-encoded;
 * one that loses none is copied byte for byte; OID reservations are replaced by one at the end).
 * Builds the new file's index as it goes. The caller swaps the result in; if it does not,
 * {@link #close()} deletes the temporary file, so a failed or abandoned pack leaves the old log
 * as it was.
 */
final class LogPacker implements AutoCloseable {

  private static final int BUFFER = 1 << 20;

  private final LogFile source;
  private final RandomAccessFile sourceHandle;
  private final Path temp;
  private final RandomAccessFile target;
  private final long[] dropped;
  private final Runnable checkOpen;
  private final LogIndex index = new LogIndex();
  private final byte[] out = new byte[BUFFER];
  private int buffered;
  private long written;
  private LogFile result;
  private boolean swapped;

  private LogPacker(LogFile source, RandomAccessFile sourceHandle, Path temp,
      RandomAccessFile target, long[] dropped, Runnable checkOpen) {
    this.source = source;
    this.sourceHandle = sourceHandle;
    this.temp = temp;
    this.target = target;
    this.dropped = dropped;
    this.checkOpen = checkOpen;
  }

  /**
   * Returns the file offsets of the records pack drops, sorted: for every object, among its
   * revisions with a serial up to {@code lastTid}, those older than the newest one before
   * {@code before}. Revisions after {@code lastTid} (committed while pack runs) are all kept.
   */
  static long[] droppedRecords(LogIndex index, Tid lastTid, Tid before) {
    OffsetList offsets = new OffsetList();
    index.forEachObject((Oid oid, SortedPairs history) -> {
      int size = history.size();
      int visible = history.lastAtOrBefore(lastTid.value(), size);
      int newestBefore = history.lastAtOrBefore(before.value() - 1, size);
      int keepFrom = Math.min(newestBefore, visible);
      for (int i = 0; i < keepFrom; i++) {
        offsets.add(LogIndex.offsetOf(history.value(i)));
      }
    });
    return offsets.sorted();
  }

  /**
   * Starts a packed copy of {@code source} in {@code temp} (replacing any file there).
   *
   * @param dropped from {@link #droppedRecords}
   * @param checkOpen run between units; throws to stop the copy (when the storage closes)
   */
  static LogPacker start(LogFile source, Path temp, long[] dropped, Runnable checkOpen)
      throws IOException {
    RandomAccessFile sourceHandle = source.borrow();
    if (sourceHandle == null) {
      checkOpen.run();
      throw new IllegalStateException("log " + source.path() + " was retired during pack");
    }
    RandomAccessFile target = null;
    try {
      DurableFiles.deleteIfExists(temp);
      DurableFiles.createOwnerOnly(temp);
      target = new RandomAccessFile(temp.toFile(), "rw");
      LogPacker packer = new LogPacker(source, sourceHandle, temp, target, dropped, checkOpen);
      packer.write(LogFormat.fileHeader(), 0, LogFormat.FILE_HEADER_LENGTH);
      return packer;
    } catch (IOException | RuntimeException | Error e) {
      source.giveBack(sourceHandle);
      if (target != null) {
        target.close();
      }
      DurableFiles.deleteIfExists(temp);
      throw e;
    }
  }

  /** Copies the units in {@code [from, to)} of the source, verifying each. */
  void copy(long from, long to) throws IOException {
    LogScanner scanner = new LogScanner(source.path(), sourceHandle, to);
    long position = from;
    while (position < to) {
      checkOpen.run();
      UnitLayout layout = scanner.checkOrThrow(position);
      if (layout.isTransaction()) {
        copyTransaction(scanner, position, layout);
      }
      position += layout.length();
    }
  }

  private void copyTransaction(LogScanner scanner, long position, UnitLayout layout)
      throws IOException {
    boolean[] drop = new boolean[layout.recordCount()];
    boolean any = false;
    for (int i = 0; i < drop.length; i++) {
      drop[i] = Arrays.binarySearch(dropped, position + layout.recordOffset(i)) >= 0;
      any |= drop[i];
    }
    long at = written;
    if (!any) {
      copyVerbatim(scanner.reader(), position, layout.length());
      index.addTransaction(at, layout);
      return;
    }
    byte[] unit = scanner.copy(position, layout.length());
    int metaLength = ByteBuffer.wrap(unit).getInt(LogFormat.META_LENGTH_OFFSET);
    byte[] meta = Arrays.copyOfRange(unit, LogFormat.UNIT_HEADER_LENGTH,
        LogFormat.UNIT_HEADER_LENGTH + metaLength);
    List<Oid> oids = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < drop.length; i++) {
      if (!drop[i]) {
        int from = layout.recordOffset(i) + LogFormat.RECORD_HEADER_LENGTH;
        oids.add(Oid.of(layout.oid(i)));
        data.add(Arrays.copyOfRange(unit, from, from + layout.dataLength(i)));
      }
    }
    LogFormat.EncodedUnit packed = LogFormat.encodeTransaction(Tid.of(layout.tid()), meta, oids, data);
    write(packed.bytes(), 0, packed.bytes().length);
    index.addTransaction(at, packed.layout());
  }

  private void copyVerbatim(LogReader reader, long position, long length) throws IOException {
    long at = position;
    long remaining = length;
    while (remaining > 0) {
      int chunk = (int) Math.min(remaining, reader.windowSize());
      int index = reader.fill(at, chunk);
      write(reader.buffer(), index, chunk);
      at += chunk;
      remaining -= chunk;
    }
  }

  private void write(byte[] bytes, int offset, int length) throws IOException {
    if (length > out.length - buffered) {
      flush();
    }
    if (length >= out.length) {
      target.write(bytes, offset, length);
    } else {
      System.arraycopy(bytes, offset, out, buffered, length);
      buffered += length;
    }
    written += length;
  }

  private void flush() throws IOException {
    if (buffered > 0) {
      target.write(out, 0, buffered);
      buffered = 0;
    }
  }

  /** Writes what is buffered and syncs the copy so far, so that {@link #finish} syncs only the rest. */
  void sync() throws IOException {
    flush();
    target.getFD().sync();
  }

  /**
   * Ends the copy with an OID reservation (if any oid was reserved), syncs the file, and returns
   * it as a log file still named {@code temp}, ready to be renamed over the old log.
   */
  LogFile finish(long reservedThrough) throws IOException {
    if (reservedThrough > 0) {
      byte[] reservation = LogFormat.encodeReservation(reservedThrough).bytes();
      write(reservation, 0, reservation.length);
    }
    flush();
    target.getFD().sync();
    result = new LogFile(temp, index, target, written);
    return result;
  }

  /** Records that the result was swapped in, so {@link #close()} keeps it. */
  void swapped() {
    swapped = true;
  }

  /** Returns the source handle; unless swapped in, closes and deletes the packed copy. */
  @Override
  public void close() throws IOException {
    source.giveBack(sourceHandle);
    if (swapped) {
      return;
    }
    if (result != null) {
      result.close();
    } else {
      target.close();
    }
    DurableFiles.deleteIfExists(temp);
  }

  /** A growable list of file offsets. */
  private static final class OffsetList {
    private long[] values = new long[256];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    long[] sorted() {
      long[] result = Arrays.copyOf(values, size);
      Arrays.sort(result);
      return result;
    }
  }
}
