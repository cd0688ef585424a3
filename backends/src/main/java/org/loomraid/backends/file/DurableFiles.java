package org.loomraid.backends.file;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * File-system steps the storage needs to be crash-safe: creating files readable by their owner
 * only, atomic renames, and syncing a directory so that a create or rename survives a crash.
 */
final class DurableFiles {

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  private static final int SYNC_ATTEMPTS = 3;

  private DurableFiles() {}

  /** Creates an empty file with permissions {@code rw-------} where the file system has them. */
  static void createOwnerOnly(Path file) throws IOException {
    if (POSIX) {
      FileAttribute<?> ownerOnly =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
      Files.createFile(file, ownerOnly);
    } else {
      Files.createFile(file);
    }
  }

  /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
  static void moveAtomically(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Syncs a directory, so that files created, renamed or deleted in it stay so after a crash.
   * The sync needs a {@code FileChannel}, which an interrupt closes: a short-lived one here, and
   * on {@link ClosedByInterruptException} the sync is retried with the interrupt flag cleared
   * (and restored afterwards), so that an interrupt cannot leave a rename undurable. A no-op on
   * Windows, which cannot open a directory.
   */
  static void syncDirectory(Path directory) throws IOException {
    if (WINDOWS) {
      return;
    }
    boolean interrupted = false;
    try {
      for (int attempt = 1; ; attempt++) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
          channel.force(true);
          return;
        } catch (ClosedByInterruptException e) {
          interrupted = true;
          Thread.interrupted();
          if (attempt == SYNC_ATTEMPTS) {
            throw e;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Deletes {@code file} if it exists; returns whether it did. */
  static boolean deleteIfExists(Path file) throws IOException {
    return Files.deleteIfExists(file);
  }
}
