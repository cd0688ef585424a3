package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * Runs the storage contract against a RAID of three {@link FileStorage}s (default settings,
 * parallel writes), durability included: reopen opens a new RAID over the same three directories.
 * Every file storage must answer as a single storage would, so no backend may be degraded along
 * the way.
 */
class RaidOfFileStoragesContractTest extends StorageContractTest {

  private static final List<String> BACKENDS = List.of("a", "b", "c");

  @TempDir Path root;

  private final Queue<BackendTransition> degradations = new ConcurrentLinkedQueue<>();

  @Override
  protected Storage createStorage(String name) {
    try {
      for (String backend : BACKENDS) {
        Files.createDirectories(root.resolve(name).resolve(backend));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    RaidStorage.Builder builder = RaidStorage.builder(name).listener(transition -> {
      if (transition.to() == BackendState.DEGRADED) {
        degradations.add(transition);
      }
    });
    for (String backend : BACKENDS) {
      Path directory = root.resolve(name).resolve(backend);
      builder.backend(backend, () -> FileStorage.builder(directory).name(name + "-" + backend).open());
    }
    return builder.open();
  }

  @AfterEach
  void noFileStorageWasDegraded() {
    assertEquals(List.of(), List.copyOf(degradations), "backends degraded during the test");
  }
}
