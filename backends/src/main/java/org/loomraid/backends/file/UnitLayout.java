package org.loomraid.backends.file;

/**
 * What the index needs to know about one unit: its kind, its tid (or, for an OID reservation, the
 * reserved-through oid), its length, and for each record the object, where the record starts
 * within the unit and its data length. Built by the encoder or by the scanner; not thread-safe
 * until handed over.
 */
final class UnitLayout {

  private final byte kind;
  private final long value;
  private final int length;
  private final long[] oids;
  private final int[] recordOffsets;
  private final int[] dataLengths;
  private int count;

  UnitLayout(byte kind, long value, int length, int expectedRecords) {
    this.kind = kind;
    this.value = value;
    this.length = length;
    this.oids = new long[expectedRecords];
    this.recordOffsets = new int[expectedRecords];
    this.dataLengths = new int[expectedRecords];
  }

  /** Adds the next record: its object, its offset within the unit, its data length. */
  void add(long oid, int recordOffset, int dataLength) {
    oids[count] = oid;
    recordOffsets[count] = recordOffset;
    dataLengths[count] = dataLength;
    count++;
  }

  boolean isTransaction() {
    return kind == LogFormat.KIND_TRANSACTION;
  }

  /** The tid of a transaction unit. */
  long tid() {
    return value;
  }

  /** The reserved-through oid of a reservation unit. */
  long reservedThrough() {
    return value;
  }

  int length() {
    return length;
  }

  int recordCount() {
    return count;
  }

  long oid(int record) {
    return oids[record];
  }

  int recordOffset(int record) {
    return recordOffsets[record];
  }

  int dataLength(int record) {
    return dataLengths[record];
  }

  /** Returns the largest oid among the records, or 0. */
  long maxOid() {
    long max = 0;
    for (int i = 0; i < count; i++) {
      max = Math.max(max, oids[i]);
    }
    return max;
  }
}
