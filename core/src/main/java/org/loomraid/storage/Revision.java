package org.loomraid.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored version of an object: its data as written by the transaction {@code serial}.
 *
 * <p>The data is copied on construction and on every {@link #data()} call.
 *
 * @param oid the object
 * @param serial the tid of the transaction that wrote this revision (never {@link Tid#NONE})
 * @param data the object's data in this revision
 */
public record Revision(Oid oid, Tid serial, byte[] data) {

  /**
   * Creates a revision.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code serial} is {@link Tid#NONE}
   */
  public Revision {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    data = DataRecord.checkData(data).clone();
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

  @Override
  public boolean equals(Object o) {
    return o instanceof Revision other
        && oid.equals(other.oid)
        && serial.equals(other.serial)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(oid, serial) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Revision[" + oid + ", serial " + serial + ", " + data.length + " bytes]";
  }
}
