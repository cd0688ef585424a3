package org.loomraid.storage;

import java.util.Map;
import java.util.Objects;

/**
 * Who committed a transaction and why, stored with it and returned verbatim by
 * {@link Storage#transactions(Tid)}.
 *
 * @param user who committed (may be empty)
 * @param description what the transaction did (may be empty)
 * @param extension further application-defined key/value pairs (copied; may be empty)
 */
public record TransactionMeta(String user, String description, Map<String, String> extension) {

  /** Metadata with an empty user, description and extension. */
  public static final TransactionMeta EMPTY = new TransactionMeta("", "", Map.of());

  /**
   * Creates transaction metadata.
   *
   * @throws NullPointerException if any argument, key or value is null
   */
  public TransactionMeta {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(description, "description");
    extension = Map.copyOf(Objects.requireNonNull(extension, "extension"));
  }

  /**
   * Returns the size of this metadata as storages count it against
   * {@link StorageLimits#maxMetaSize()}: the UTF-8 lengths of the user, the description, and every
   * extension key and value, added up.
   */
  public long byteSize() {
    long size = utf8Length(user) + utf8Length(description);
    for (Map.Entry<String, String> entry : extension.entrySet()) {
      size += utf8Length(entry.getKey()) + utf8Length(entry.getValue());
    }
    return size;
  }

  private static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        length += 3;
      }
    }
    return length;
  }

  /** Returns metadata with the given user and description and no extension. */
  public static TransactionMeta of(String user, String description) {
    return new TransactionMeta(user, description, Map.of());
  }
}
