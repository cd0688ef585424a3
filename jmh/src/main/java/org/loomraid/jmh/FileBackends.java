package org.loomraid.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.file.FsyncPolicy;
import org.loomraid.raid.StorageOpener;

/**
 * File backends for a benchmark: one fresh directory each under a temporary folder, opened with
 * fsync off unless told otherwise (most benchmarks measure the log and the RAID, not the device's
 * flush). Closing deletes every directory. Openers reopen the same directory, as a RAID's recovery
 * expects.
 */
final class FileBackends implements AutoCloseable {

  private final Path root;
  private final List<StorageOpener> openers = new ArrayList<>();

  /**
   * Creates {@code count} empty backend directories.
   *
   * @throws UncheckedIOException if the temporary folder cannot be created
   */
  FileBackends(int count) {
    this(count, FsyncPolicy.NONE);
  }

  /**
   * Creates {@code count} empty backend directories, whose storages sync as {@code fsync} says.
   *
   * @throws UncheckedIOException if the temporary folder cannot be created
   */
  FileBackends(int count, FsyncPolicy fsync) {
    try {
      root = Files.createTempDirectory("loomraid-bench-");
      for (int i = 0; i < count; i++) {
        Files.createDirectory(root.resolve("f" + i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folders of the file backends", e);
    }
    for (int i = 0; i < count; i++) {
      String name = "f" + i;
      Path directory = root.resolve(name);
      openers.add(() -> FileStorage.builder(directory).name(name)
          .fsyncPolicy(fsync).open());
    }
  }

  /** The directory of backend {@code index}. */
  Path directory(int index) {
    return root.resolve("f" + index);
  }

  /** One opener per backend, in order. */
  List<StorageOpener> openers() {
    return openers;
  }

  /** Deletes every backend directory; the storages must be closed first. */
  @Override
  public void close() {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the benchmark's file backends in " + root, e);
    }
  }
}
