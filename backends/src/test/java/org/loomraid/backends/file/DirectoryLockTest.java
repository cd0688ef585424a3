package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.Oid;

/** A storage directory is open in one place at a time, in this JVM or across processes. */
class DirectoryLockTest {

  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aSecondOpenInTheSameJvmFailsAtOnceAndDisturbsNothing() {
    try (FileStorage first = FileStorage.builder(dir).name("first").open()) {
      commit(first, Oid.of(1), "a");
      DirectoryLockedException e = assertThrows(DirectoryLockedException.class, () -> FileStorage.open(dir));
      assertTrue(e.getMessage().contains("already open in this JVM (storage 'first')"), e.getMessage());
      assertEquals(dir, e.directory());
      assertThrows(DirectoryLockedException.class, () -> FileStorage.builder(dir).readOnly(true).open());
      commit(first, Oid.of(1), "b");
      assertArrayEquals(bytes("b"), first.load(Oid.of(1)).data());
    }
    try (FileStorage again = FileStorage.open(dir)) {
      assertArrayEquals(bytes("b"), again.load(Oid.of(1)).data());
    }
  }

  @Test
  void theSameDirectoryReachedByAnotherPathIsStillLocked() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
    try (FileStorage first = FileStorage.open(dir)) {
      assertEquals(dir, first.directory());
      assertThrows(DirectoryLockedException.class, () -> FileStorage.open(link));
      assertThrows(DirectoryLockedException.class, () -> FileStorage.open(dir.resolve("..").resolve(dir.getFileName())));
    } finally {
      Files.delete(link);
    }
  }

  @Test
  void closingReleasesTheDirectoryOnlyOnce() {
    FileStorage first = FileStorage.open(dir);
    first.close();
    try (FileStorage second = FileStorage.open(dir)) {
      first.close();
      assertThrows(DirectoryLockedException.class, () -> FileStorage.open(dir));
      commit(second, Oid.of(1), "second still owns it");
    }
  }

  @Test
  void anOpenFailsWhileAnotherProcessHoldsTheDirectory() throws Exception {
    try (ChildJvm child = ChildJvm.start(DirectoryProbe.class, "hold", dir.toString())) {
      child.awaitLines("OPEN", 1, CHILD_TIMEOUT);
      DirectoryLockedException e = assertThrows(DirectoryLockedException.class, () -> FileStorage.open(dir));
      assertTrue(e.getMessage().contains("locked by another process"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
      assertThrows(DirectoryLockedException.class, () -> FileStorage.builder(dir).readOnly(true).open());
      child.kill();
    }
    try (FileStorage storage = FileStorage.open(dir)) {
      commit(storage, Oid.of(1), "the dead process's lock was released by the OS");
    }
  }

  @Test
  void anotherProcessCannotOpenWhileThisJvmHoldsTheDirectory() throws Exception {
    try (FileStorage storage = FileStorage.open(dir)) {
      try (ChildJvm child = ChildJvm.start(DirectoryProbe.class, "try", dir.toString())) {
        assertEquals(0, child.awaitExit(CHILD_TIMEOUT), child.lines().toString());
        List<String> locked = child.linesStartingWith("LOCKED ");
        assertEquals(1, locked.size(), child.lines().toString());
        assertTrue(locked.get(0).contains("pid " + ProcessHandle.current().pid()), locked.get(0));
      }
      commit(storage, Oid.of(1), "unaffected by the other process's attempt");
    }
    try (ChildJvm child = ChildJvm.start(DirectoryProbe.class, "try", dir.toString())) {
      assertEquals(0, child.awaitExit(CHILD_TIMEOUT), child.lines().toString());
      assertEquals(1, child.linesStartingWith("OPENED ").size(), child.lines().toString());
    }
  }
}
