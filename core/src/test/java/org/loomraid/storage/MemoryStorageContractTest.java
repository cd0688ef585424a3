package org.loomraid.storage;

import org.loomraid.storage.contract.StorageContractTest;

/** Runs the storage contract against {@link MemoryStorage}, with limits below the defaults. */
class MemoryStorageContractTest extends StorageContractTest {

  /** Limits the suite can reach cheaply: 1 MiB records, 4 MiB transactions, 64 KiB metadata. */
  static final StorageLimits LIMITS = new StorageLimits(1 << 20, 4 << 20, 64 << 10);

  @Override
  protected Storage createStorage(String name) {
    return MemoryStorage.builder(name).limits(LIMITS).build();
  }
}
