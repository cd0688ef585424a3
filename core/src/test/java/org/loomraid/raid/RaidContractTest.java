package org.loomraid.raid;

import java.time.Duration;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.contract.StorageContractTest;
import org.loomraid.testing.LatencyStorage;

/**
 * The storage contract against a RAID of {@link #backendCount()} memory storages in
 * {@link #writeMode()}: a RAID must be indistinguishable from a single storage. One small
 * subclass per configuration. The backends declare different limits (records of 1 MiB, 512 KiB,
 * 256 KiB), so the RAID must enforce the strictest.
 */
abstract class RaidContractTest extends StorageContractTest {

  abstract int backendCount();

  abstract WriteMode writeMode();

  /**
   * Whether each backend sits behind a zero-latency {@link LatencyStorage}, which declares nothing,
   * so that every call gets a thread and a deadline of its own; a bare memory storage has its reads
   * and transactions run on the caller's thread.
   */
  boolean wrapped() {
    return false;
  }

  @Override
  protected Storage createStorage(String name) {
    RaidStorage.Builder builder = RaidStorage.builder(name).writeMode(writeMode());
    for (int i = 0; i < backendCount(); i++) {
      String backend = name + "-" + i;
      StorageLimits limits = new StorageLimits((1 << 20) >> i, 8 << 20, 64 << 10);
      builder.backend(backend, () -> {
        MemoryStorage memory = MemoryStorage.builder(backend).limits(limits).build();
        return wrapped() ? LatencyStorage.fixed(memory, Duration.ZERO) : memory;
      });
    }
    return builder.open();
  }
}
