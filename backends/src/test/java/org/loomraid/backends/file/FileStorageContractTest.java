package org.loomraid.backends.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * Runs the storage contract against {@link FileStorage} with its default settings (every commit
 * synced) but a record limit of 1 MiB, so the limit tests stay cheap; including the durability
 * tests: reopen opens the same directory again.
 */
class FileStorageContractTest extends StorageContractTest {

  private static final int MAX_RECORD_SIZE = 1 << 20;

  @TempDir Path root;

  @Override
  protected Storage createStorage(String name) {
    try {
      return FileStorage.builder(Files.createDirectories(root.resolve(name))).name(name)
          .maxRecordSize(MAX_RECORD_SIZE).open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected Storage reopen(Storage closed) {
    FileStorage previous = (FileStorage) closed;
    return FileStorage.builder(previous.directory()).name(previous.name())
        .maxRecordSize(MAX_RECORD_SIZE).open();
  }
}
