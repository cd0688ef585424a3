package org.loomraid.raid;

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

/** Forwards every call to another storage, calling {@link #onCall()} first; for test wrappers. */
class ForwardingStorage implements Storage {

  private volatile Storage delegate;

  ForwardingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  /** Forwards to {@code replacement} from now on (a test wiping a backend's data). */
  void delegateTo(Storage replacement) {
    this.delegate = replacement;
  }

  /** Called before every forwarded call except {@code name()}. */
  void onCall() {}

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Tid lastTransaction() {
    onCall();
    return delegate.lastTransaction();
  }

  @Override
  public Oid newOid() {
    onCall();
    return delegate.newOid();
  }

  @Override
  public void reserveOids(Oid through) {
    onCall();
    delegate.reserveOids(through);
  }

  @Override
  public Revision load(Oid oid) {
    onCall();
    return delegate.load(oid);
  }

  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    onCall();
    return delegate.loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    onCall();
    return delegate.loadSerial(oid, serial);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    onCall();
    return delegate.begin(meta);
  }

  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    onCall();
    return delegate.begin(meta, tid);
  }

  @Override
  public TransactionIterator transactions(Tid after) {
    onCall();
    return delegate.transactions(after);
  }

  @Override
  public void restore(TransactionRecord record) {
    onCall();
    delegate.restore(record);
  }

  @Override
  public void pack(Tid before) {
    onCall();
    delegate.pack(before);
  }

  @Override
  public StorageStats stats() {
    onCall();
    return delegate.stats();
  }

  @Override
  public StorageLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    onCall();
    delegate.close();
  }
}
