package org.loomraid.raid;

import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.Storage;

/**
 * A view of a storage whose {@code close()} leaves the storage open, as a durable storage's data
 * survives a close: lets a test inspect a degraded (closed) backend, or open a second RAID over
 * the same backends as if after a restart. Counts the closes.
 */
final class SurvivingStorage extends ForwardingStorage {

  private final AtomicInteger closes = new AtomicInteger();

  SurvivingStorage(Storage delegate) {
    super(delegate);
  }

  /** Returns how many times this view was closed. */
  int closes() {
    return closes.get();
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}
