package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/** What follows a failed write or a failed sync. */
class WriteFailureTest {

  @TempDir Path dir;

  private final AtomicBoolean failNextWrite = new AtomicBoolean();
  private final AtomicBoolean failNextSync = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();

  private final WriteFaults faults = new WriteFaults() {
    @Override
    public void beforeWrite(LogFile file, byte[] unit) throws IOException {
      if (failNextWrite.getAndSet(false)) {
        file.write(Arrays.copyOf(unit, unit.length / 2));
        failed.set(true);
        throw new IOException("No space left on device (simulated, after half the unit)");
      }
    }

    @Override
    public void beforeSync() throws IOException {
      if (failNextSync.getAndSet(false)) {
        failed.set(true);
        throw new IOException("Input/output error (simulated fsync failure)");
      }
    }
  };

  private FileStorage open() {
    return FileStorage.builder(dir).writeFaults(faults).open();
  }

  @Test
  void aFailedWriteIsCutBackOffAndTheStorageStaysUsable() throws IOException {
    try (FileStorage storage = open()) {
      Tid good = commit(storage, Oid.of(1), "good");
      long size = Files.size(logOf(dir));
      failNextWrite.set(true);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> commit(storage, Oid.of(2), "lost"));
      assertTrue(failed.get(), "the fault fired");
      assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
      assertEquals(size, Files.size(logOf(dir)), "the half-written unit was cut off");
      assertEquals(good, storage.lastTransaction());
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
      commit(storage, Oid.of(3), "next");
    }
    try (FileStorage storage = open()) {
      assertEquals(2, history(storage).size());
      assertArrayEquals(bytes("next"), storage.load(Oid.of(3)).data());
    }
  }

  @Test
  void aFailedSyncStopsWritesButNotReadsUntilReopened() {
    try (FileStorage storage = open()) {
      commit(storage, Oid.of(1), "good");
      failNextSync.set(true);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> commit(storage, Oid.of(2), "unknown"));
      assertTrue(failed.get(), "the fault fired");
      assertTrue(e.getMessage().contains("refuses writes until reopened"), e.getMessage());
      UncheckedIOException refused =
          assertThrows(UncheckedIOException.class, () -> storage.begin(TransactionMeta.EMPTY));
      assertTrue(refused.getMessage().contains("reopen"), refused.getMessage());
      assertThrows(UncheckedIOException.class, storage::newOid);
      assertThrows(UncheckedIOException.class, () -> storage.pack(storage.lastTransaction()));
      assertArrayEquals(bytes("good"), storage.load(Oid.of(1)).data());
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)), "never made visible");
    }
    try (FileStorage storage = open()) {
      int transactions = history(storage).size();
      assertTrue(transactions == 1 || transactions == 2, "the unsynced commit may or may not be there");
      commit(storage, Oid.of(3), "writable again after reopen");
    }
  }
}
