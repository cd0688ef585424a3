package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * Runs the storage contract against a RAID of one {@link FileStorage} and two
 * {@link PostgresStorage}s (two databases of the shared server): the two kinds must answer alike
 * everywhere, so no backend may be degraded; durability included (across reopen: the file storage
 * does not sync, which a test that does not crash the machine cannot tell, and which keeps it fast).
 */
class RaidOfFileAndPostgresContractTest extends StorageContractTest {

  private static final int MAX_RECORD_SIZE = PostgresStorageContractTest.MAX_RECORD_SIZE;

  @TempDir Path root;

  private final Map<String, String> schemas = new ConcurrentHashMap<>();
  private final Queue<BackendTransition> degradations = new ConcurrentLinkedQueue<>();

  @Override
  protected Storage createStorage(String name) {
    try {
      Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    Path directory = root.resolve(name);
    return RaidStorage.builder(name)
        .listener(transition -> {
          if (transition.to() == BackendState.DEGRADED) {
            degradations.add(transition);
          }
        })
        .backend("file", () -> FileStorage.builder(directory).name(name + "-file")
            .fsyncPolicy(FsyncPolicy.NONE).maxRecordSize(MAX_RECORD_SIZE).open())
        .backend("pg1", () -> postgres(name + "-pg1", "raid_b", schema))
        .backend("pg2", () -> postgres(name + "-pg2", "raid_c", schema))
        .open();
  }

  private static PostgresStorage postgres(String name, String database, String schema) {
    return PostgresStorage.builder(TestDatabases.pool(database)).name(name).schema(schema)
        .limits(PostgresStorage.MAX_LIMITS.withMaxRecordSize(MAX_RECORD_SIZE)).open();
  }

  @AfterEach
  void noBackendWasDegraded() {
    assertEquals(List.of(), List.copyOf(degradations), "backends degraded during the test");
  }
}
