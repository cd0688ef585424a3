package org.loomraid.backends.file;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * The byte layout of a log file (see {@code docs/file-format.md}): constants, and encoding and
 * decoding of the file header and of units held in memory. All integers are big-endian. Pure
 * functions over byte arrays; no I/O.
 */
final class LogFormat {

  /** The first 8 bytes of every log file: ASCII {@code LOOMRAID}. */
  static final byte[] FILE_MAGIC = "LOOMRAID".getBytes(StandardCharsets.US_ASCII);

  /** The format version this code writes and reads. */
  static final int FORMAT_VERSION = 1;

  /** File header: magic (8), version (u16), flags (u16), CRC32C of the first 12 bytes (u32). */
  static final int FILE_HEADER_LENGTH = 16;

  /** The first 4 bytes of every unit: ASCII {@code LOGR}. */
  static final int UNIT_MAGIC = 0x4C4F4752;

  /** Unit kind: one committed transaction. */
  static final byte KIND_TRANSACTION = 1;

  /** Unit kind: a reservation of object ids (no tid, no records). */
  static final byte KIND_OID_RESERVATION = 2;

  /** Unit header: magic, kind, 3 zero bytes, length, record count, tid, meta length, 4 zero bytes. */
  static final int UNIT_HEADER_LENGTH = 32;

  /** Record header: oid (u64), data length (u32), CRC32C of the data (u32). */
  static final int RECORD_HEADER_LENGTH = 16;

  /** Unit trailer: the unit length again (u32) and the CRC32C of everything before it (u32). */
  static final int UNIT_TRAILER_LENGTH = 8;

  /** The smallest possible unit: a header and a trailer. */
  static final int MIN_UNIT_LENGTH = UNIT_HEADER_LENGTH + UNIT_TRAILER_LENGTH;

  /** The length of an OID reservation unit: header, the reserved-through oid (u64), trailer. */
  static final int RESERVATION_UNIT_LENGTH = UNIT_HEADER_LENGTH + 8 + UNIT_TRAILER_LENGTH;

  /** The largest unit (one transaction): just under 2 GiB, so that one fits one Java array. */
  static final int MAX_UNIT_LENGTH = Integer.MAX_VALUE - 64;

  /** Offset of the unit length within the header. */
  static final int UNIT_LENGTH_OFFSET = 8;

  /** Offset of the meta length within the header. */
  static final int META_LENGTH_OFFSET = 24;

  private LogFormat() {}

  /** Returns a new file header for {@link #FORMAT_VERSION}. */
  static byte[] fileHeader() {
    ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH);
    header.put(FILE_MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0);
    header.putInt(crc(header.array(), 0, 12));
    return header.array();
  }

  /** Returns the CRC32C of {@code length} bytes of {@code bytes} from {@code offset}. */
  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** Returns the encoded length of a transaction unit, or -1 if it would exceed the limit. */
  static long transactionUnitLength(int metaLength, long recordCount, long dataLength) {
    long length = (long) UNIT_HEADER_LENGTH + metaLength + recordCount * RECORD_HEADER_LENGTH
        + dataLength + UNIT_TRAILER_LENGTH;
    return length > MAX_UNIT_LENGTH ? -1 : length;
  }

  /**
   * Encodes a transaction unit.
   *
   * @param tid the transaction's tid
   * @param meta the encoded metadata ({@link #encodeMeta})
   * @param oids the records' objects, in order
   * @param data the records' data, in the same order (not copied, not modified)
   * @throws IllegalArgumentException if the unit would exceed {@link #MAX_UNIT_LENGTH}
   */
  static EncodedUnit encodeTransaction(Tid tid, byte[] meta, List<Oid> oids, List<byte[]> data) {
    long dataLength = 0;
    for (byte[] bytes : data) {
      dataLength += bytes.length;
    }
    long length = transactionUnitLength(meta.length, oids.size(), dataLength);
    if (length < 0) {
      throw new IllegalArgumentException("transaction " + tid + " does not fit one log unit: "
          + dataLength + " bytes of data, limit " + MAX_UNIT_LENGTH + " bytes per transaction");
    }
    byte[] unit = new byte[(int) length];
    ByteBuffer out = ByteBuffer.wrap(unit);
    putUnitHeader(out, KIND_TRANSACTION, (int) length, oids.size(), tid.value(), meta.length);
    out.put(meta);
    UnitLayout layout = new UnitLayout(KIND_TRANSACTION, tid.value(), (int) length, oids.size());
    CRC32C crc = new CRC32C();
    for (int i = 0; i < oids.size(); i++) {
      byte[] bytes = data.get(i);
      crc.reset();
      crc.update(bytes, 0, bytes.length);
      layout.add(oids.get(i).value(), out.position(), bytes.length);
      out.putLong(oids.get(i).value()).putInt(bytes.length).putInt((int) crc.getValue());
      out.put(bytes);
    }
    putTrailer(out, unit);
    return new EncodedUnit(unit, layout);
  }

  /** Encodes a unit that reserves every object id up to and including {@code through}. */
  static EncodedUnit encodeReservation(long through) {
    byte[] unit = new byte[RESERVATION_UNIT_LENGTH];
    ByteBuffer out = ByteBuffer.wrap(unit);
    putUnitHeader(out, KIND_OID_RESERVATION, RESERVATION_UNIT_LENGTH, 0, through, 0);
    out.putLong(through);
    putTrailer(out, unit);
    return new EncodedUnit(
        unit, new UnitLayout(KIND_OID_RESERVATION, through, RESERVATION_UNIT_LENGTH, 0));
  }

  private static void putUnitHeader(
      ByteBuffer out, byte kind, int length, int records, long tidOrOid, int metaLength) {
    out.putInt(UNIT_MAGIC).put(kind).put((byte) 0).putShort((short) 0);
    out.putInt(length).putInt(records).putLong(tidOrOid).putInt(metaLength).putInt(0);
  }

  private static void putTrailer(ByteBuffer out, byte[] unit) {
    out.putInt(unit.length);
    out.putInt(crc(unit, 0, unit.length - 4));
  }

  /**
   * Encodes transaction metadata: user, description, then the extension's entry count and its
   * entries in key order; every string as a u32 byte count and modified UTF-8, so that any Java
   * string (even one with unpaired surrogates) reads back exactly.
   */
  static byte[] encodeMeta(TransactionMeta meta) {
    List<byte[]> strings = new ArrayList<>(2 + 2 * meta.extension().size());
    strings.add(encodeString(meta.user()));
    strings.add(encodeString(meta.description()));
    for (Map.Entry<String, String> entry : new TreeMap<>(meta.extension()).entrySet()) {
      strings.add(encodeString(entry.getKey()));
      strings.add(encodeString(entry.getValue()));
    }
    long length = 4;
    for (byte[] string : strings) {
      length += 4 + string.length;
    }
    if (length > MAX_UNIT_LENGTH) {
      throw new IllegalArgumentException("transaction meta is too large to store: " + length
          + " bytes encoded, limit " + MAX_UNIT_LENGTH);
    }
    ByteBuffer out = ByteBuffer.allocate((int) length);
    putString(out, strings.get(0));
    putString(out, strings.get(1));
    out.putInt(meta.extension().size());
    for (int i = 2; i < strings.size(); i++) {
      putString(out, strings.get(i));
    }
    return out.array();
  }

  private static void putString(ByteBuffer out, byte[] string) {
    out.putInt(string.length).put(string);
  }

  /** Modified UTF-8 (as {@code DataOutput.writeUTF}, without its 64 KiB limit). */
  static byte[] encodeString(String string) {
    int length = 0;
    for (int i = 0; i < string.length(); i++) {
      char c = string.charAt(i);
      length += (c >= 1 && c <= 0x7F) ? 1 : (c <= 0x7FF ? 2 : 3);
      if (length < 0) {
        throw new IllegalArgumentException("string too long to encode: " + string.length() + " chars");
      }
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int i = 0; i < string.length(); i++) {
      char c = string.charAt(i);
      if (c >= 1 && c <= 0x7F) {
        out[at++] = (byte) c;
      } else if (c <= 0x7FF) {
        out[at++] = (byte) (0xC0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      } else {
        out[at++] = (byte) (0xE0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return out;
  }

  /** Decodes modified UTF-8; throws {@link IllegalArgumentException} on a malformed sequence. */
  static String decodeString(byte[] bytes, int offset, int length) {
    char[] chars = new char[length];
    int count = 0;
    int at = offset;
    int end = offset + length;
    while (at < end) {
      int b = bytes[at] & 0xFF;
      if (b >= 1 && b <= 0x7F) {
        chars[count++] = (char) b;
        at++;
      } else if ((b & 0xE0) == 0xC0 && at + 1 < end && isContinuation(bytes[at + 1])) {
        chars[count++] = (char) (((b & 0x1F) << 6) | (bytes[at + 1] & 0x3F));
        at += 2;
      } else if ((b & 0xF0) == 0xE0 && at + 2 < end
          && isContinuation(bytes[at + 1]) && isContinuation(bytes[at + 2])) {
        chars[count++] =
            (char) (((b & 0x0F) << 12) | ((bytes[at + 1] & 0x3F) << 6) | (bytes[at + 2] & 0x3F));
        at += 3;
      } else {
        throw new IllegalArgumentException("malformed string byte 0x"
            + Integer.toHexString(b) + " at unit offset " + at);
      }
    }
    return new String(chars, 0, count);
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** Decodes metadata encoded by {@link #encodeMeta}; throws {@link IllegalArgumentException}. */
  static TransactionMeta decodeMeta(byte[] unit, int offset, int length) {
    ByteBuffer in = ByteBuffer.wrap(unit, offset, length).slice();
    String user = getString(in, unit, offset);
    String description = getString(in, unit, offset);
    int entries = in.getInt();
    if (entries < 0 || entries > in.remaining() / 8) {
      throw new IllegalArgumentException("meta claims " + entries + " extension entries");
    }
    Map<String, String> extension = new TreeMap<>();
    for (int i = 0; i < entries; i++) {
      String key = getString(in, unit, offset);
      extension.put(key, getString(in, unit, offset));
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("meta has " + in.remaining() + " trailing bytes");
    }
    return new TransactionMeta(user, description, extension);
  }

  private static String getString(ByteBuffer in, byte[] unit, int base) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("string length " + length + " exceeds the meta");
    }
    String value = decodeString(unit, base + in.position(), length);
    in.position(in.position() + length);
    return value;
  }

  /**
   * Decodes a complete transaction unit held in {@code unit}, verifying its checksums.
   *
   * @throws IllegalArgumentException naming what is wrong, with offsets relative to the unit
   */
  static TransactionRecord decodeTransaction(byte[] unit) {
    try {
      return decodeCheckedTransaction(unit);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("transaction unit structure overruns its length", e);
    }
  }

  private static TransactionRecord decodeCheckedTransaction(byte[] unit) {
    ByteBuffer in = ByteBuffer.wrap(unit);
    int length = unit.length;
    if (length < MIN_UNIT_LENGTH || in.getInt(0) != UNIT_MAGIC
        || in.get(4) != KIND_TRANSACTION || in.getInt(UNIT_LENGTH_OFFSET) != length) {
      throw new IllegalArgumentException("not a transaction unit of " + length + " bytes");
    }
    int crcOffset = length - 4;
    if (in.getInt(crcOffset) != crc(unit, 0, crcOffset)) {
      throw new IllegalArgumentException("unit checksum mismatch");
    }
    int records = in.getInt(12);
    Tid tid = Tid.of(in.getLong(16));
    int metaLength = in.getInt(24);
    if (metaLength < 0 || metaLength > length - MIN_UNIT_LENGTH
        || records < 0 || records > (length - MIN_UNIT_LENGTH) / RECORD_HEADER_LENGTH) {
      throw new IllegalArgumentException(
          "unit header claims " + metaLength + " meta bytes and " + records + " records");
    }
    TransactionMeta meta = decodeMeta(unit, UNIT_HEADER_LENGTH, metaLength);
    List<DataRecord> data = new ArrayList<>(records);
    int at = UNIT_HEADER_LENGTH + metaLength;
    for (int i = 0; i < records; i++) {
      long oid = in.getLong(at);
      int dataLength = in.getInt(at + 8);
      int dataCrc = in.getInt(at + 12);
      int from = at + RECORD_HEADER_LENGTH;
      if (dataLength < 0 || from + (long) dataLength > length - UNIT_TRAILER_LENGTH) {
        throw new IllegalArgumentException("record " + i + " at unit offset " + at + " overruns the unit");
      }
      if (crc(unit, from, dataLength) != dataCrc) {
        throw new IllegalArgumentException("record " + i + " at unit offset " + at + ": data checksum mismatch");
      }
      data.add(new DataRecord(Oid.of(oid), Arrays.copyOfRange(unit, from, from + dataLength)));
      at = from + dataLength;
    }
    if (at != length - UNIT_TRAILER_LENGTH) {
      throw new IllegalArgumentException(
          "records end at unit offset " + at + ", trailer is at " + (length - UNIT_TRAILER_LENGTH));
    }
    return new TransactionRecord(tid, meta, data);
  }

  /** A unit's bytes and where its records are. */
  record EncodedUnit(byte[] bytes, UnitLayout layout) {}
}
