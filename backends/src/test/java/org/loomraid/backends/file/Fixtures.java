package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/** Small helpers shared by the file storage tests. */
final class Fixtures {

  private Fixtures() {}

  /** The log file of a storage directory. */
  static Path logOf(Path directory) {
    return directory.resolve(LogLoader.LOG_FILE);
  }

  /** Opens {@code directory} without syncing (fast; for tests that do not test durability). */
  static FileStorage openFast(Path directory) {
    return FileStorage.builder(directory).fsyncPolicy(FsyncPolicy.NONE).open();
  }

  /** A tid generator whose clock stands still, so tids are last + 1: identical across storages. */
  static TidGenerator countingTids() {
    return TidGenerator.withClock(InstantSource.fixed(Instant.EPOCH));
  }

  /** Bytes of a string. */
  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Commits {@code writes} (oid to data), each stored over its current serial. */
  static Tid commit(Storage storage, Map<Oid, byte[]> writes) {
    return commit(storage, TransactionMeta.of("tester", "commit"), writes);
  }

  /** Commits {@code writes} with {@code meta}, each stored over its current serial. */
  static Tid commit(Storage storage, TransactionMeta meta, Map<Oid, byte[]> writes) {
    try (StorageTransaction tx = storage.begin(meta)) {
      for (Map.Entry<Oid, byte[]> write : writes.entrySet()) {
        tx.store(write.getKey(), serialOf(storage, write.getKey()), write.getValue());
      }
      tx.vote();
      return tx.commit();
    }
  }

  /** Commits one object. */
  static Tid commit(Storage storage, Oid oid, String data) {
    return commit(storage, Map.of(oid, bytes(data)));
  }

  /** Returns the object's current serial, or {@link Tid#NONE}. */
  static Tid serialOf(Storage storage, Oid oid) {
    try {
      return storage.load(oid).serial();
    } catch (ObjectNotFoundException e) {
      return Tid.NONE;
    }
  }

  /** Returns every committed transaction. */
  static List<TransactionRecord> history(Storage storage) {
    List<TransactionRecord> all = new ArrayList<>();
    try (TransactionIterator it = storage.transactions(Tid.NONE)) {
      it.forEachRemaining(all::add);
    }
    return all;
  }

  /** Commits {@code count} small transactions of two records each, with varied meta. */
  static List<Tid> commitSmall(Storage storage, int count) {
    List<Tid> tids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<Oid, byte[]> writes = new LinkedHashMap<>();
      writes.put(Oid.of(1 + i % 3), bytes("value " + i));
      writes.put(Oid.of(10 + i), bytes("x" + i));
      TransactionMeta meta = new TransactionMeta("user" + i, "tx " + i, Map.of("k", "v" + i));
      tids.add(commit(storage, meta, writes));
    }
    return tids;
  }

  /** Writes the first {@code length} bytes of {@code content} as the log of a new directory. */
  static Path directoryWithLog(Path parent, String name, byte[] content, int length) throws IOException {
    Path directory = Files.createDirectories(parent.resolve(name));
    Files.write(logOf(directory), java.util.Arrays.copyOf(content, length));
    return directory;
  }

  /** Deletes a directory and the files in it. */
  static void deleteDirectory(Path directory) throws IOException {
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(directory);
  }

  /** Asserts that two histories are equal, naming the first difference. */
  static void assertSameHistory(List<TransactionRecord> expected, List<TransactionRecord> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      assertEquals(expected.get(i), actual.get(i), "transaction #" + i);
    }
    assertEquals(expected.size(), actual.size(), "number of transactions");
  }
}
