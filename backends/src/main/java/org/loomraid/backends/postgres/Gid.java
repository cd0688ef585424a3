package org.loomraid.backends.postgres;

import java.util.Locale;
import org.loomraid.storage.Tid;

/**
 * The global identifier of a prepared transaction: {@code loomraid/<database oid>/<schema>/<owner>/
 * <tid>/<sequence>}, owner and tid in 16 hex digits. Gids are unique in the whole PostgreSQL cluster
 * (the database oid and the schema tell storages apart, the owner id the instances of one storage,
 * the sequence the transactions of one instance) and recognisable as a storage's own by their prefix.
 * At most 9 + 10 + 1 + 63 + 1 + 16 + 1 + 16 + 1 + 19 = 137 characters, below PostgreSQL's 200.
 *
 * @param prefix the storage's prefix, {@code loomraid/<database oid>/<schema>/}
 * @param owner the id of the storage instance that prepared it (its advisory lock key)
 * @param tid the transaction's tid
 * @param sequence the instance's count of prepared transactions
 */
record Gid(String prefix, long owner, Tid tid, long sequence) {

  /** Returns the prefix of every gid of the storage in {@code schema} of database {@code oid}. */
  static String prefix(long databaseOid, String schema) {
    return "loomraid/" + databaseOid + "/" + schema + "/";
  }

  /** Parses a gid with the given prefix; null if it is not one this release writes. */
  static Gid parse(String prefix, String gid) {
    if (!gid.startsWith(prefix)) {
      return null;
    }
    String[] parts = gid.substring(prefix.length()).split("/", -1);
    if (parts.length != 3 || parts[0].length() != 16 || parts[1].length() != 16) {
      return null;
    }
    try {
      return new Gid(prefix, Long.parseUnsignedLong(parts[0], 16),
          Tid.of(Long.parseLong(parts[1], 16)), Long.parseLong(parts[2]));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Returns the gid as PostgreSQL sees it; safe to put between single quotes as it is. */
  String text() {
    return prefix + String.format(Locale.ROOT, "%016x/%016x/%d", owner, tid.value(), sequence);
  }

  @Override
  public String toString() {
    return text();
  }
}
