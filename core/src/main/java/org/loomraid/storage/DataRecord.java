package org.loomraid.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One object's data as written by one transaction.
 *
 * <p>The data is copied on construction and on every {@link #data()} call, so a record never
 * changes once made. Data is opaque bytes: storages never interpret or deserialise it.
 *
 * @param oid the object written
 * @param data its new state, at most {@link #MAX_DATA_LENGTH} bytes
 */
public record DataRecord(Oid oid, byte[] data) {

  /** The largest data a record may carry: 16 MiB. Storages may document a lower limit. */
  public static final int MAX_DATA_LENGTH = 16 * 1024 * 1024;

  /**
   * Creates a data record.
   *
   * @throws NullPointerException if {@code oid} or {@code data} is null
   * @throws IllegalArgumentException if {@code data} is longer than {@link #MAX_DATA_LENGTH}
   */
  public DataRecord {
    Objects.requireNonNull(oid, "oid");
    data = checkData(data).clone();
  }

  /** Returns a copy of the data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Returns the length of the data without copying it. */
  public int length() {
    return data.length;
  }

  /**
   * Validates object data for any storage: non-null and at most {@link #MAX_DATA_LENGTH} bytes.
   *
   * @return {@code data}
   */
  public static byte[] checkData(byte[] data) {
    Objects.requireNonNull(data, "data");
    if (data.length > MAX_DATA_LENGTH) {
      throw new IllegalArgumentException(
          "data is " + data.length + " bytes, more than the limit of " + MAX_DATA_LENGTH);
    }
    return data;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataRecord other && oid.equals(other.oid) && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * oid.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "DataRecord[" + oid + ", " + data.length + " bytes]";
  }
}
