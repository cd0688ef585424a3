package org.loomraid.storage;

import org.loomraid.storage.contract.StorageContractTest;

/** Runs the storage contract against {@link MemoryStorage}. */
class MemoryStorageContractTest extends StorageContractTest {

  @Override
  protected Storage createStorage(String name) {
    return MemoryStorage.create(name);
  }
}
