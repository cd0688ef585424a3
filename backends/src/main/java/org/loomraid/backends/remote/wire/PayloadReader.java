package org.loomraid.backends.remote.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * Reads a payload written by {@link FrameEncoder}, checking every length against what is left
 * before allocating anything: a malformed payload raises {@link ProtocolViolationException}, never
 * an out-of-memory error or a runtime exception.
 */
public final class PayloadReader {

  private final ByteBuffer buffer;

  /** Reads {@code payload} from its start. */
  public PayloadReader(byte[] payload) {
    this.buffer = ByteBuffer.wrap(payload);
  }

  /** Returns the number of bytes not read yet. */
  public int remaining() {
    return buffer.remaining();
  }

  /** Reads a {@code u8}. */
  public int readUnsignedByte() throws ProtocolViolationException {
    need(1, "a byte");
    return buffer.get() & 0xFF;
  }

  /** Reads a {@code bool}; any byte but 0 or 1 is malformed. */
  public boolean readBoolean() throws ProtocolViolationException {
    int value = readUnsignedByte();
    if (value > 1) {
      throw new ProtocolViolationException("a boolean must be 0 or 1, was " + value);
    }
    return value == 1;
  }

  /** Reads a {@code u16}. */
  public int readUnsignedShort() throws ProtocolViolationException {
    need(2, "a short");
    return buffer.getShort() & 0xFFFF;
  }

  /** Reads an {@code i32}. */
  public int readInt() throws ProtocolViolationException {
    need(4, "an int");
    return buffer.getInt();
  }

  /** Reads an {@code i64}. */
  public long readLong() throws ProtocolViolationException {
    need(8, "a long");
    return buffer.getLong();
  }

  /** Reads exactly {@code length} bytes without a count. */
  public byte[] readRaw(int length) throws ProtocolViolationException {
    need(length, length + " bytes");
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
  }

  /** Reads a 4-byte count and that many bytes; the count must be at most {@code max}. */
  public byte[] readBytes(int max) throws ProtocolViolationException {
    int length = readInt();
    if (length < 0 || length > max) {
      throw new ProtocolViolationException("byte count " + length + " is outside 0.." + max);
    }
    return readRaw(length);
  }

  /** Reads data as stored in a record: at most {@link DataRecord#MAX_DATA_LENGTH} bytes. */
  public byte[] readData() throws ProtocolViolationException {
    return readBytes(DataRecord.MAX_DATA_LENGTH);
  }

  /** Reads a {@code string}; malformed UTF-8 is refused. */
  public String readString() throws ProtocolViolationException {
    byte[] bytes = readBytes(Protocol.MAX_PAYLOAD_LENGTH);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolViolationException("a string is not valid UTF-8");
    }
  }

  /** Reads an {@code oid}; a negative one is malformed. */
  public Oid readOid() throws ProtocolViolationException {
    long value = readLong();
    if (value < 0) {
      throw new ProtocolViolationException("an oid must not be negative, was " + value);
    }
    return Oid.of(value);
  }

  /** Reads a {@code tid}; a negative one is malformed. */
  public Tid readTid() throws ProtocolViolationException {
    long value = readLong();
    if (value < 0) {
      throw new ProtocolViolationException("a tid must not be negative, was " + value);
    }
    return Tid.of(value);
  }

  /** Reads a count that announces at least {@code minBytesEach} bytes per element. */
  public int readCount(int minBytesEach, String what) throws ProtocolViolationException {
    int count = readInt();
    if (count < 0 || (long) count * minBytesEach > buffer.remaining()) {
      throw new ProtocolViolationException(
          "count of " + what + " " + count + " does not fit the " + buffer.remaining()
              + " bytes left");
    }
    return count;
  }

  /** Reads transaction metadata; a key that appears twice is malformed. */
  public TransactionMeta readMeta() throws ProtocolViolationException {
    String user = readString();
    String description = readString();
    int count = readCount(8, "extension entries");
    Map<String, String> extension = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String key = readString();
      if (extension.put(key, readString()) != null) {
        throw new ProtocolViolationException("extension key '" + key + "' appears twice");
      }
    }
    return new TransactionMeta(user, description, extension);
  }

  /** Reads a {@code revision}; a serial of NONE is malformed. */
  public Revision readRevision() throws ProtocolViolationException {
    Oid oid = readOid();
    Tid serial = readTid();
    if (serial.isNone()) {
      throw new ProtocolViolationException("a revision's serial must not be NONE");
    }
    return new Revision(oid, serial, readData());
  }

  /** Requires that the whole payload has been read. */
  public void expectEnd() throws ProtocolViolationException {
    if (buffer.hasRemaining()) {
      throw new ProtocolViolationException(buffer.remaining() + " unexpected trailing bytes");
    }
  }

  private void need(int bytes, String what) throws ProtocolViolationException {
    if (bytes < 0 || buffer.remaining() < bytes) {
      throw new ProtocolViolationException(
          "payload ends before " + what + " (" + buffer.remaining() + " bytes left)");
    }
  }
}
