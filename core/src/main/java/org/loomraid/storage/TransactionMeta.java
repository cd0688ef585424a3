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

  /** Returns metadata with the given user and description and no extension. */
  public static TransactionMeta of(String user, String description) {
    return new TransactionMeta(user, description, Map.of());
  }
}
