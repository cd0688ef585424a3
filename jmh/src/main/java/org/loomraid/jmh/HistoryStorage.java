package org.loomraid.jmh;

import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;

/**
 * The storages whose costs must stay flat as history grows, each built behind the same facade (a
 * {@link Storage} in a {@link FileBackends} folder it may use), so every benchmark of a long
 * history runs the same workload on both.
 */
enum HistoryStorage {
  /** {@link MemoryStorage}, the embedded default. */
  MEMORY {
    @Override
    Storage open(FileBackends folder) {
      return MemoryStorage.create("memory");
    }
  },
  /** {@link FileStorage} with fsync off, so the device's flush is not what is measured. */
  FILE {
    @Override
    Storage open(FileBackends folder) {
      return FileStorage.builder(folder.directory(0)).name("file").fsyncPolicy(FsyncPolicy.NONE).open();
    }

    /**
     * Closes and reopens: the close syncs the log, so the device is not still writing back a
     * history just written while the benchmark measures, and the index is the one an open builds.
     */
    @Override
    Storage settle(Storage storage, FileBackends folder) {
      storage.close();
      return open(folder);
    }
  };

  /** Opens the storage, using the first directory of {@code folder} if it keeps files. */
  abstract Storage open(FileBackends folder);

  /**
   * Returns the storage as a long-used one would be after {@code storage} was filled: the same
   * instance for memory. The caller must use the returned storage from then on.
   */
  Storage settle(Storage storage, FileBackends folder) {
    return storage;
  }
}
