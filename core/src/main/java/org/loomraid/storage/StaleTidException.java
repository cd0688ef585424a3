package org.loomraid.storage;

/**
 * A caller-chosen tid (in {@link Storage#begin(TransactionMeta, Tid)} or
 * {@link Storage#restore(TransactionRecord)}) is not greater than the storage's last transaction.
 */
public class StaleTidException extends StorageException {

  private static final long serialVersionUID = 1L;

  private final transient Tid tid;
  private final transient Tid lastTransaction;

  /** Creates the answer for {@code tid}, refused because the storage is already at {@code last}. */
  public StaleTidException(Tid tid, Tid last) {
    super(tid + " is not after the last transaction " + last);
    this.tid = tid;
    this.lastTransaction = last;
  }

  /** Returns the refused tid. */
  public Tid tid() {
    return tid;
  }

  /** Returns the storage's last transaction when it refused. */
  public Tid lastTransaction() {
    return lastTransaction;
  }
}
