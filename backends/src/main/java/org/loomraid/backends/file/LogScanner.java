package org.loomraid.backends.file;

import static org.loomraid.backends.file.LogFormat.FILE_HEADER_LENGTH;
import static org.loomraid.backends.file.LogFormat.MAX_UNIT_LENGTH;
import static org.loomraid.backends.file.LogFormat.MIN_UNIT_LENGTH;
import static org.loomraid.backends.file.LogFormat.RECORD_HEADER_LENGTH;
import static org.loomraid.backends.file.LogFormat.UNIT_HEADER_LENGTH;
import static org.loomraid.backends.file.LogFormat.UNIT_TRAILER_LENGTH;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32C;
import org.loomraid.storage.DataRecord;

/**
 * Validates a log file unit by unit and builds its index: used on open, and by pack to verify
 * what it copies.
 *
 * <p>It tells a torn tail from corruption. A unit that fails validation at offset {@code p} is
 * <em>torn</em> (an append a crash cut short) only if it can be the last unit: it does not provably
 * end before the end of the file (a unit whose header and trailer agree on its length, followed by
 * more bytes, was completely written before something else was appended), and no valid unit
 * starts anywhere after {@code p}. Anything else is corruption, reported with the offset and never
 * skipped. Valid units must also carry strictly increasing tids.
 *
 * <p>Memory use is bounded by the read window, whatever the unit sizes. Not thread-safe.
 */
final class LogScanner {

  private static final int WINDOW = 1 << 20;

  /** Up to this many records, repeated oids are found by a linear search rather than a set. */
  private static final int SMALL_UNIT_RECORDS = 16;
  private static final byte[] UNIT_MAGIC_BYTES =
      ByteBuffer.allocate(4).putInt(LogFormat.UNIT_MAGIC).array();

  private final Path path;
  private final RandomAccessFile file;
  private final LogReader reader;

  /**
   * @param path the file's name, for messages
   * @param file the open file
   * @param limit where the data to scan ends (the file length)
   */
  LogScanner(Path path, RandomAccessFile file, long limit) {
    this.path = path;
    this.file = file;
    this.reader = new LogReader(file, limit, WINDOW);
  }

  /** A torn tail: where the last complete unit ends, why the rest is not a unit, how long it is. */
  record TornTail(long offset, String problem, long length) {}

  /** What a scan found: the index and where the valid data ends. */
  record Result(
      LogIndex index, long end, long lastTid, long maxOid, long reservedThrough, TornTail tornTail) {}

  /**
   * Checks the file header.
   *
   * @throws LogFormatException if the file is not a log, or of another format version
   * @throws CorruptLogException if the header's checksum does not match
   */
  void checkFileHeader() throws IOException {
    long length = reader.limit();
    if (length < FILE_HEADER_LENGTH) {
      throw new LogFormatException(path, 0, "is not a loomraid log: it has " + length
          + " bytes, fewer than the " + FILE_HEADER_LENGTH + "-byte file header");
    }
    byte[] header = reader.copy(0, FILE_HEADER_LENGTH);
    if (!Arrays.equals(header, 0, 8, LogFormat.FILE_MAGIC, 0, 8)) {
      throw new LogFormatException(path, 0, "is not a loomraid log: it does not start with LOOMRAID");
    }
    ByteBuffer in = ByteBuffer.wrap(header);
    if (in.getInt(12) != LogFormat.crc(header, 0, 12)) {
      throw new CorruptLogException(path, 0, "file header checksum mismatch");
    }
    int version = in.getShort(8) & 0xFFFF;
    if (version != LogFormat.FORMAT_VERSION) {
      throw new LogFormatException(path, 8, "has format version " + version
          + ", but this version of loomraid reads format version " + LogFormat.FORMAT_VERSION);
    }
    int flags = in.getShort(10) & 0xFFFF;
    if (flags != 0) {
      throw new LogFormatException(path, 10, "has unknown header flags 0x" + Integer.toHexString(flags));
    }
  }

  /**
   * Scans every unit after the file header.
   *
   * @throws CorruptLogException if a unit other than a torn last one is damaged
   */
  Result scan() throws IOException {
    LogIndex index = new LogIndex();
    long position = FILE_HEADER_LENGTH;
    long lastTid = 0;
    long maxOid = 0;
    long reservedThrough = 0;
    while (position < reader.limit()) {
      UnitLayout layout;
      try {
        layout = check(position);
      } catch (UnitDamage damage) {
        TornTail torn = classify(position, damage);
        return new Result(index, position, lastTid, maxOid, reservedThrough, torn);
      }
      if (layout.isTransaction()) {
        if (layout.tid() <= lastTid) {
          throw new CorruptLogException(path, position, "transaction tid " + layout.tid()
              + " is not after the previous transaction's tid " + lastTid);
        }
        index.addTransaction(position, layout);
        lastTid = layout.tid();
        maxOid = Math.max(maxOid, layout.maxOid());
      } else {
        reservedThrough = Math.max(reservedThrough, layout.reservedThrough());
      }
      position += layout.length();
    }
    return new Result(index, position, lastTid, maxOid, reservedThrough, null);
  }

  /**
   * Validates the unit at {@code position} and returns its layout.
   *
   * @throws CorruptLogException if it is not a valid unit
   */
  UnitLayout checkOrThrow(long position) throws IOException {
    try {
      return check(position);
    } catch (UnitDamage damage) {
      throw new CorruptLogException(path, position, damage.getMessage());
    }
  }

  /** Reads {@code length} bytes at {@code position}. */
  byte[] copy(long position, int length) throws IOException {
    return reader.copy(position, length);
  }

  /** Returns the underlying reader, to stream verified bytes elsewhere. */
  LogReader reader() {
    return reader;
  }

  /** The file being scanned. */
  RandomAccessFile file() {
    return file;
  }

  private TornTail classify(long position, UnitDamage damage) throws IOException {
    long remaining = reader.limit() - position;
    String problem = "damaged unit: " + damage.getMessage();
    if (remaining > MAX_UNIT_LENGTH) {
      throw new CorruptLogException(path, position, problem + "; " + remaining
          + " bytes follow, more than any unit can hold, so this is not a torn write");
    }
    if (damage.confirmedLength > 0 && damage.confirmedLength < remaining) {
      throw new CorruptLogException(path, position, problem + "; the unit is complete ("
          + damage.confirmedLength + " bytes, its header and trailer agree) and "
          + (remaining - damage.confirmedLength) + " more bytes follow it, so this is not a torn"
          + " write. Restore the file from a mirror or backup. If this follows an operating"
          + " system crash with fsync policy NONE, the data from this offset on was never durable:"
          + " truncating the file to " + position + " bytes keeps every transaction before it");
    }
    long next = findValidUnit(position + 1);
    if (next >= 0) {
      throw new CorruptLogException(path, position, problem + "; a valid unit follows at byte offset "
          + next + ", so this is not a torn write. Restore the file from a mirror or backup");
    }
    return new TornTail(position, damage.getMessage(), remaining);
  }

  /** Returns the offset of the first valid unit at or after {@code from}, or -1. */
  private long findValidUnit(long from) throws IOException {
    long position = from;
    while (position + MIN_UNIT_LENGTH <= reader.limit()) {
      int chunk = (int) Math.min(reader.windowSize(), reader.limit() - position);
      int index = reader.fill(position, chunk);
      int found = indexOfMagic(reader.buffer(), index, chunk);
      if (found < 0) {
        position += Math.max(1, chunk - 3);
        continue;
      }
      long candidate = position + found;
      try {
        check(candidate);
        return candidate;
      } catch (UnitDamage notAUnit) {
        position = candidate + 1;
      }
    }
    return -1;
  }

  private static int indexOfMagic(byte[] buffer, int from, int length) {
    for (int k = 0; k + 4 <= length; k++) {
      int i = from + k;
      if (buffer[i] == UNIT_MAGIC_BYTES[0] && buffer[i + 1] == UNIT_MAGIC_BYTES[1]
          && buffer[i + 2] == UNIT_MAGIC_BYTES[2] && buffer[i + 3] == UNIT_MAGIC_BYTES[3]) {
        return k;
      }
    }
    return -1;
  }

  /** Validates one unit: framing and length first, then the checksum, then its structure. */
  private UnitLayout check(long position) throws IOException, UnitDamage {
    long available = reader.limit() - position;
    if (available < UNIT_HEADER_LENGTH) {
      throw new UnitDamage("only " + available + " bytes remain, fewer than a "
          + UNIT_HEADER_LENGTH + "-byte unit header", 0);
    }
    ByteBuffer header = ByteBuffer.wrap(reader.copy(position, UNIT_HEADER_LENGTH));
    if (header.getInt(0) != LogFormat.UNIT_MAGIC) {
      throw new UnitDamage("bad unit magic 0x" + Integer.toHexString(header.getInt(0)), 0);
    }
    byte kind = header.get(4);
    if (kind != LogFormat.KIND_TRANSACTION && kind != LogFormat.KIND_OID_RESERVATION) {
      throw new UnitDamage("unknown unit kind " + kind, 0);
    }
    int length = header.getInt(LogFormat.UNIT_LENGTH_OFFSET);
    if (length < MIN_UNIT_LENGTH || length > MAX_UNIT_LENGTH) {
      throw new UnitDamage("implausible unit length " + length, 0);
    }
    if (length > available) {
      throw new UnitDamage("unit length " + length + " runs past the end of the file ("
          + available + " bytes remain)", 0);
    }
    int trailerLength = reader.getInt(position + length - UNIT_TRAILER_LENGTH);
    if (trailerLength != length) {
      throw new UnitDamage("header says the unit has " + length + " bytes, trailer says "
          + trailerLength, 0);
    }
    CRC32C crc = new CRC32C();
    reader.updateCrc(crc, position, length - 4L);
    int stored = reader.getInt(position + length - 4);
    if (stored != (int) crc.getValue()) {
      throw new UnitDamage(String.format("checksum mismatch (stored 0x%08x, computed 0x%08x)",
          stored, (int) crc.getValue()), length);
    }
    return structure(position, header, kind, length);
  }

  private UnitLayout structure(long position, ByteBuffer header, byte kind, int length)
      throws IOException, UnitDamage {
    int records = header.getInt(12);
    long value = header.getLong(16);
    int metaLength = header.getInt(24);
    if (header.get(5) != 0 || header.getShort(6) != 0 || header.getInt(28) != 0) {
      throw new UnitDamage("reserved header bytes are not zero", length);
    }
    if (kind == LogFormat.KIND_OID_RESERVATION) {
      if (length != LogFormat.RESERVATION_UNIT_LENGTH || records != 0 || metaLength != 0
          || value < 0 || reader.getLong(position + UNIT_HEADER_LENGTH) != value) {
        throw new UnitDamage("malformed OID reservation unit", length);
      }
      return new UnitLayout(kind, value, length, 0);
    }
    if (value <= 0) {
      throw new UnitDamage("transaction unit with tid " + value, length);
    }
    int body = length - MIN_UNIT_LENGTH;
    if (metaLength < 0 || metaLength > body || records < 0
        || records > (body - metaLength) / RECORD_HEADER_LENGTH) {
      throw new UnitDamage("header claims " + metaLength + " meta bytes and " + records
          + " records in a unit of " + length + " bytes", length);
    }
    UnitLayout layout = new UnitLayout(kind, value, length, records);
    long end = position + length - UNIT_TRAILER_LENGTH;
    long at = position + UNIT_HEADER_LENGTH + metaLength;
    Set<Long> oids = records > SMALL_UNIT_RECORDS ? new HashSet<>() : null;
    for (int r = 0; r < records; r++) {
      if (at + RECORD_HEADER_LENGTH > end) {
        throw new UnitDamage("record " + r + " header overruns the unit", length);
      }
      long oid = reader.getLong(at);
      int dataLength = reader.getInt(at + 8);
      if (oid < 0 || dataLength < 0 || dataLength > DataRecord.MAX_DATA_LENGTH
          || at + RECORD_HEADER_LENGTH + dataLength > end) {
        throw new UnitDamage("record " + r + " at unit offset " + (at - position)
            + " is malformed (oid " + oid + ", " + dataLength + " bytes)", length);
      }
      if (oids != null ? !oids.add(oid) : repeats(layout, oid)) {
        throw new UnitDamage("oid " + oid + " appears twice in one transaction", length);
      }
      layout.add(oid, (int) (at - position), dataLength);
      at += RECORD_HEADER_LENGTH + dataLength;
    }
    if (at != end) {
      throw new UnitDamage("records end at unit offset " + (at - position) + ", but the trailer"
          + " starts at " + (end - position), length);
    }
    return layout;
  }

  /** Whether {@code oid} is among the records already in {@code layout} (for small units). */
  private static boolean repeats(UnitLayout layout, long oid) {
    for (int i = 0; i < layout.recordCount(); i++) {
      if (layout.oid(i) == oid) {
        return true;
      }
    }
    return false;
  }

  /** Why a unit failed validation; {@code confirmedLength} > 0 if its framing was intact. */
  private static final class UnitDamage extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient int confirmedLength;

    UnitDamage(String message, int confirmedLength) {
      super(message, null, false, false);
      this.confirmedLength = confirmedLength;
    }
  }
}
