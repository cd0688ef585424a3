package org.loomraid.storage;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A committed transaction as {@link Storage#transactions(Tid)} returns it and
 * {@link Storage#restore(TransactionRecord)} accepts it.
 *
 * @param tid the transaction's id (never {@link Tid#NONE})
 * @param meta who committed it and why
 * @param records the objects it wrote, in the order they were stored, each oid at most once
 */
public record TransactionRecord(Tid tid, TransactionMeta meta, List<DataRecord> records) {

  /**
   * Creates a transaction record.
   *
   * @throws NullPointerException if an argument or a record is null
   * @throws IllegalArgumentException if {@code tid} is {@link Tid#NONE} or an oid repeats
   */
  public TransactionRecord {
    Tid.requireReal(tid, "tid");
    Objects.requireNonNull(meta, "meta");
    records = List.copyOf(Objects.requireNonNull(records, "records"));
    Set<Oid> seen = new HashSet<>();
    for (DataRecord record : records) {
      if (!seen.add(record.oid())) {
        throw new IllegalArgumentException(
            "transaction " + tid + " writes " + record.oid() + " more than once");
      }
    }
  }

  /** Returns the total length of the records' data. */
  public long dataLength() {
    long total = 0;
    for (DataRecord record : records) {
      total += record.length();
    }
    return total;
  }
}
