package org.loomraid.storage;

/** The storage has no revision of the requested object (or not of the requested serial). */
public class ObjectNotFoundException extends StorageException {

  private static final long serialVersionUID = 1L;

  private final transient Oid oid;

  /** Creates the answer for an object with no revision at all. */
  public ObjectNotFoundException(Oid oid) {
    this(oid, "no revision of " + oid);
  }

  /** Creates the answer for {@code oid} with a specific message (e.g. naming a missing serial). */
  public ObjectNotFoundException(Oid oid, String message) {
    super(message);
    this.oid = oid;
  }

  /** Returns the object that was not found. */
  public Oid oid() {
    return oid;
  }
}
