package org.loomraid.raid;

import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * The storage contract against a RAID of {@link #backendCount()} memory storages in
 * {@link #writeMode()}: a RAID must be indistinguishable from a single storage. One small
 * subclass per configuration.
 */
abstract class RaidContractTest extends StorageContractTest {

  abstract int backendCount();

  abstract WriteMode writeMode();

  @Override
  protected Storage createStorage(String name) {
    RaidStorage.Builder builder = RaidStorage.builder(name).writeMode(writeMode());
    for (int i = 0; i < backendCount(); i++) {
      String backend = name + "-" + i;
      builder.backend(backend, () -> MemoryStorage.create(backend));
    }
    return builder.open();
  }
}
