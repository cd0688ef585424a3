package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * Runs the storage contract against a RAID of three {@link PostgresStorage}s in three databases of
 * the shared server (default settings, parallel writes), durability included: reopen opens a new
 * RAID over the same three schemas. No backend may be degraded along the way.
 */
class RaidOfPostgresStoragesContractTest extends StorageContractTest {

  private static final List<String> DATABASES = List.of("raid_a", "raid_b", "raid_c");

  private final Map<String, String> schemas = new ConcurrentHashMap<>();
  private final Queue<BackendTransition> degradations = new ConcurrentLinkedQueue<>();

  @Override
  protected Storage createStorage(String name) {
    schemas.put(name, TestDatabases.freshSchema());
    return openRaid(name);
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected Storage reopen(Storage closed) {
    return openRaid(closed.name());
  }

  private RaidStorage openRaid(String name) {
    String schema = schemas.get(name);
    RaidStorage.Builder builder = RaidStorage.builder(name).listener(transition -> {
      if (transition.to() == BackendState.DEGRADED) {
        degradations.add(transition);
      }
    });
    for (String database : DATABASES) {
      builder.backend(database, () -> PostgresStorage.builder(TestDatabases.pool(database))
          .name(name + "-" + database).schema(schema)
          .limits(PostgresStorage.MAX_LIMITS.withMaxRecordSize(
              PostgresStorageContractTest.MAX_RECORD_SIZE))
          .open());
    }
    return builder.open();
  }

  @AfterEach
  void noBackendWasDegraded() {
    assertEquals(List.of(), List.copyOf(degradations), "backends degraded during the test");
  }
}
