package org.loomraid.backends.remote;

import java.util.Optional;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/** A storage that hands every call to another; tests override what they watch or change. */
public class DelegatingStorage implements Storage {

  protected final Storage delegate;

  public DelegatingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Tid lastTransaction() {
    return delegate.lastTransaction();
  }

  @Override
  public Oid newOid() {
    return delegate.newOid();
  }

  @Override
  public void reserveOids(Oid through) {
    delegate.reserveOids(through);
  }

  @Override
  public Revision load(Oid oid) {
    return delegate.load(oid);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    return delegate.loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    return delegate.loadSerial(oid, serial);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    return delegate.begin(meta);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    return delegate.begin(meta, tid);
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    return delegate.transactions(after);
  }

  @Override
  public void restore(TransactionRecord record) {
    delegate.restore(record);
  }

  @Override
  public void pack(Tid before) {
    delegate.pack(before);
  }

  @Override
  public StorageStats stats() {
    return delegate.stats();
  }

  @Override
  public StorageLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
