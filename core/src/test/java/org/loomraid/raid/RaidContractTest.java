package org.loomraid.raid;

import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * The storage contract against a RAID of {@link #backendCount()} memory storages in
 * {@link #writeMode()}: a RAID must be indistinguishable from a single storage. One small
 * subclass per configuration. The backends declare different limits (records of 1 MiB, 512 KiB,
 * 256 KiB), so the RAID must enforce the strictest.
 */
abstract class RaidContractTest extends StorageContractTest {

  abstract int backendCount();

  abstract WriteMode writeMode();

  @Override
  protected Storage createStorage(String name) {
    RaidStorage.Builder builder = RaidStorage.builder(name).writeMode(writeMode());
    for (int i = 0; i < backendCount(); i++) {
      String backend = name + "-" + i;
      StorageLimits limits = new StorageLimits((1 << 20) >> i, 8 << 20, 64 << 10);
      builder.backend(backend, () -> MemoryStorage.builder(backend).limits(limits).build());
    }
    return builder.open();
  }
}
