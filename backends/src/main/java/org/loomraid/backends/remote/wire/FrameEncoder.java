package org.loomraid.backends.remote.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * Builds one frame with {@code DataOutput}-style big-endian primitives. Strings are a 4-byte byte
 * count and UTF-8; byte arrays a 4-byte count and the bytes. A frame never grows beyond
 * {@link Protocol#MAX_FRAME_LENGTH}: callers split their data so it fits, and this class refuses
 * (with {@link IllegalArgumentException}) what would not.
 */
public final class FrameEncoder {

  private byte[] buffer;
  private int size;
  private final long requestId;

  /** Starts a frame with this request id and code (operation or status). */
  public FrameEncoder(long requestId, int code) {
    this(requestId, code, 128);
  }

  /** Starts a frame, sizing its buffer for {@code expectedPayload} bytes of payload. */
  public FrameEncoder(long requestId, int code, int expectedPayload) {
    this.requestId = requestId;
    this.buffer = new byte[4 + Protocol.HEADER_LENGTH + Math.max(0, expectedPayload)];
    this.size = 4;
    writeLong(requestId);
    writeByte(code);
  }

  /** Returns the number of payload bytes written so far. */
  public int payloadSize() {
    return size - 4 - Protocol.HEADER_LENGTH;
  }

  /** Writes one byte (the low 8 bits of {@code value}). */
  public FrameEncoder writeByte(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
    return this;
  }

  /** Writes a {@code bool}: one byte, 0 or 1. */
  public FrameEncoder writeBoolean(boolean value) {
    return writeByte(value ? 1 : 0);
  }

  /** Writes a {@code u16} (the low 16 bits of {@code value}). */
  public FrameEncoder writeShort(int value) {
    ensure(2);
    buffer[size++] = (byte) (value >>> 8);
    buffer[size++] = (byte) value;
    return this;
  }

  /** Writes an {@code i32}. */
  public FrameEncoder writeInt(int value) {
    ensure(4);
    buffer[size++] = (byte) (value >>> 24);
    buffer[size++] = (byte) (value >>> 16);
    buffer[size++] = (byte) (value >>> 8);
    buffer[size++] = (byte) value;
    return this;
  }

  /** Writes an {@code i64}. */
  public FrameEncoder writeLong(long value) {
    writeInt((int) (value >>> 32));
    return writeInt((int) value);
  }

  /** Writes bytes as they are, without a count. */
  public FrameEncoder writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
    return this;
  }

  /** Writes a 4-byte count and the bytes. */
  public FrameEncoder writeBytes(byte[] bytes) {
    writeInt(bytes.length);
    return writeRaw(bytes);
  }

  /** Writes a {@code string}: a 4-byte byte count and UTF-8. */
  public FrameEncoder writeString(String value) {
    return writeBytes(value.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes an {@code oid}. */
  public FrameEncoder writeOid(Oid oid) {
    return writeLong(oid.value());
  }

  /** Writes a {@code tid}. */
  public FrameEncoder writeTid(Tid tid) {
    return writeLong(tid.value());
  }

  /** Writes transaction metadata as {@link #encodeMeta} encodes it. */
  public FrameEncoder writeMeta(TransactionMeta meta) {
    return writeRaw(encodeMeta(meta));
  }

  /** Writes oid, serial and data. */
  public FrameEncoder writeRevision(Revision revision) {
    writeOid(revision.oid());
    writeTid(revision.serial());
    return writeBytes(revision.data());
  }

  /** Returns the finished frame; the encoder must not be used afterwards. */
  public OutgoingFrame finish() {
    int length = size - 4;
    buffer[0] = (byte) (length >>> 24);
    buffer[1] = (byte) (length >>> 16);
    buffer[2] = (byte) (length >>> 8);
    buffer[3] = (byte) length;
    return new OutgoingFrame(requestId, buffer, size);
  }

  /** Returns the payload written so far (for building payloads on their own). */
  public byte[] finishPayload() {
    return Arrays.copyOfRange(buffer, 4 + Protocol.HEADER_LENGTH, size);
  }

  /**
   * Encodes metadata: user, description (strings), the extension's entry count (4 bytes) and each
   * entry's key and value (strings), keys in sorted order so equal metadata encodes equally.
   */
  public static byte[] encodeMeta(TransactionMeta meta) {
    FrameEncoder scratch = new FrameEncoder(0, 0);
    scratch.writeString(meta.user()).writeString(meta.description());
    scratch.writeInt(meta.extension().size());
    meta.extension().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> scratch.writeString(e.getKey()).writeString(e.getValue()));
    return scratch.finishPayload();
  }

  private void ensure(int more) {
    long needed = (long) size + more;
    if (needed - 4 > Protocol.MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException(
          "a frame would grow beyond the protocol limit of " + Protocol.MAX_FRAME_LENGTH + " bytes");
    }
    if (needed > buffer.length) {
      long grown = Math.max(needed, Math.min(2L * buffer.length, Protocol.MAX_FRAME_LENGTH + 4L));
      buffer = Arrays.copyOf(buffer, (int) grown);
    }
  }
}
