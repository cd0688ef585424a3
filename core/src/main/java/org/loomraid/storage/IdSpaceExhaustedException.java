package org.loomraid.storage;

/**
 * An answer: the storage has used up an id space, so it cannot allocate the next id. Either its
 * last transaction is at {@link Tid#MAX}, so no later tid can be chosen (writes are refused; reads
 * still work), or its OID counter is at {@link Oid#MAX}, so {@link Storage#newOid()} has no id left.
 * Both ends lie far beyond any id a storage reaches by itself (the year 9999 for tids, 2<sup>62</sup>
 * allocations for oids); only a caller that chose ids at the top of the range on purpose gets here.
 */
public class IdSpaceExhaustedException extends StorageException {

  private static final long serialVersionUID = 1L;

  /** Creates the answer with a message naming what is used up. */
  public IdSpaceExhaustedException(String message) {
    super(message);
  }
}
