package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.Oid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.Tid;

/**
 * Pooled read handles, handles held by iterators and by files retired by pack are all closed by
 * the time the storage is closed: the process has as many open files afterwards as before.
 */
class FileHandleTest {

  private static final Path OPEN_FILES = Path.of("/proc/self/fd");

  @TempDir Path dir;

  @Test
  void closingTheStorageClosesEveryFileItOpened() throws Exception {
    assumeTrue(Files.isDirectory(OPEN_FILES), "needs /proc/self/fd to count open files");
    long before = openFiles();
    FileStorage storage = Fixtures.openFast(dir);
    for (int i = 0; i < 50; i++) {
      commit(storage, Oid.of(i % 5), "revision " + i);
    }
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 6; r++) {
      readers.add(TestThreads.start("handle-reader-" + r, r % 2 == 0, () -> {
        for (int i = 0; i < 200; i++) {
          storage.load(Oid.of(i % 5));
        }
      }));
    }
    for (Thread reader : readers) {
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    TransactionIterator openAcrossPack = storage.transactions(Tid.NONE);
    openAcrossPack.next();
    storage.pack(storage.lastTransaction());
    commit(storage, Oid.of(1), "after the first pack");
    storage.pack(storage.lastTransaction());
    openAcrossPack.forEachRemaining(record -> { });
    openAcrossPack.close();
    history(storage);
    storage.close();
    assertEquals(before, openFiles(), "open files after close");
  }

  private static long openFiles() throws IOException {
    try (var files = Files.list(OPEN_FILES)) {
      return files.count();
    }
  }
}
