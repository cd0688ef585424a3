package org.loomraid.storage;

/**
 * A store's expected serial was not the object's current serial: another transaction wrote the
 * object since the writer read it. Nothing of the transaction was committed; re-read and retry.
 */
public class ConflictException extends StorageException {

  private static final long serialVersionUID = 1L;

  private final transient Oid oid;
  private final transient Tid expectedSerial;
  private final transient Tid actualSerial;

  /** Creates a conflict for {@code oid}: the writer expected {@code expected}, the storage has {@code actual}. */
  public ConflictException(Oid oid, Tid expected, Tid actual) {
    super("conflict on " + oid + ": expected serial " + expected + ", current serial " + actual);
    this.oid = oid;
    this.expectedSerial = expected;
    this.actualSerial = actual;
  }

  /** Returns the conflicting object. */
  public Oid oid() {
    return oid;
  }

  /** Returns the serial the writer expected ({@link Tid#NONE} for a new object). */
  public Tid expectedSerial() {
    return expectedSerial;
  }

  /** Returns the object's current serial ({@link Tid#NONE} if it has none). */
  public Tid actualSerial() {
    return actualSerial;
  }
}
