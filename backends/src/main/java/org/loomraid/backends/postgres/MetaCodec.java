package org.loomraid.backends.postgres;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.loomraid.storage.TransactionMeta;

/**
 * Encodes a transaction's metadata for the {@code meta} column, exactly: PostgreSQL text refuses
 * the NUL character and unpaired surrogates, both of which a Java string may hold, so the metadata
 * is kept as {@code bytea} in a format of its own and returned verbatim.
 *
 * <pre>
 *   format byte (1) | string user | string description | u32 entry count | (string key, string value)*
 *   string := u32 byte length | modified UTF-8 (NUL as two bytes, each UTF-16 unit on its own)
 * </pre>
 * Big-endian; entries sorted by key, so equal metadata encodes to equal bytes.
 */
final class MetaCodec {

  /** The only format so far. */
  static final byte FORMAT = 1;

  private MetaCodec() {}

  static byte[] encode(TransactionMeta meta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(FORMAT);
    writeString(out, meta.user());
    writeString(out, meta.description());
    List<Map.Entry<String, String>> entries = new ArrayList<>(meta.extension().entrySet());
    entries.sort(Map.Entry.comparingByKey());
    writeInt(out, entries.size());
    for (Map.Entry<String, String> entry : entries) {
      writeString(out, entry.getKey());
      writeString(out, entry.getValue());
    }
    return out.toByteArray();
  }

  /**
   * Decodes what {@link #encode} wrote.
   *
   * @throws IllegalStateException if the bytes are not metadata of a known format
   */
  static TransactionMeta decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte format = in.get();
      if (format != FORMAT) {
        throw new IllegalStateException("unknown metadata format " + format);
      }
      String user = readString(in);
      String description = readString(in);
      int count = in.getInt();
      if (count < 0 || count > in.remaining() / 8) {
        throw new IllegalStateException("bad metadata entry count " + count);
      }
      Map<String, String> extension = new HashMap<>(count * 2);
      for (int i = 0; i < count; i++) {
        extension.put(readString(in), readString(in));
      }
      if (in.hasRemaining()) {
        throw new IllegalStateException(in.remaining() + " bytes after the metadata");
      }
      return new TransactionMeta(user, description, extension);
    } catch (BufferUnderflowException e) {
      throw new IllegalStateException("truncated metadata", e);
    }
  }

  private static void writeInt(ByteArrayOutputStream out, int value) {
    out.write(value >>> 24);
    out.write(value >>> 16);
    out.write(value >>> 8);
    out.write(value);
  }

  private static void writeString(ByteArrayOutputStream out, String text) {
    int length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      length += c != 0 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    writeInt(out, length);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != 0 && c < 0x80) {
        out.write(c);
      } else if (c < 0x800) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
  }

  private static String readString(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalStateException("bad metadata string length " + length);
    }
    StringBuilder text = new StringBuilder(length);
    int end = in.position() + length;
    while (in.position() < end) {
      int b = in.get() & 0xFF;
      if (b < 0x80) {
        text.append((char) b);
      } else if ((b & 0xE0) == 0xC0) {
        text.append((char) (((b & 0x1F) << 6) | (in.get() & 0x3F)));
      } else if ((b & 0xF0) == 0xE0) {
        text.append((char) (((b & 0x0F) << 12) | ((in.get() & 0x3F) << 6) | (in.get() & 0x3F)));
      } else {
        throw new IllegalStateException("bad metadata byte " + b);
      }
    }
    if (in.position() != end) {
      throw new IllegalStateException("metadata string overruns its length");
    }
    return text.toString();
  }
}
