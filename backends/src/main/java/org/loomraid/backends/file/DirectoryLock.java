package org.loomraid.backends.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.loomraid.storage.StorageInterruptedException;

/**
 * Exclusive ownership of a storage directory: an operating-system lock on the directory's lock
 * file (against other processes) plus a registry of directories open in this JVM (file locks are
 * held per process, so a second open in the same JVM would otherwise only meet an
 * {@code OverlappingFileLockException}).
 *
 * <p>A writable storage takes an exclusive lock and writes its process id into the lock file, for
 * the error another opener gets. A read-only storage takes a shared lock if the lock file exists
 * (so it cannot open while a writer holds the directory, and no writer can open while it does),
 * and no OS lock if it does not (a directory on read-only media); within this JVM every open is
 * exclusive. Released by {@link #close()}; the operating system releases it when a process dies.
 */
final class DirectoryLock implements AutoCloseable {

  static final String LOCK_FILE = "loomraid.lock";

  /** Real directory path to the storage that has it open in this JVM. */
  private static final ConcurrentHashMap<Path, Owner> OPEN_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path key;
  private final Owner owner;
  private final FileChannel channel;
  private final AtomicBoolean released = new AtomicBoolean();

  private DirectoryLock(Path key, Owner owner, FileChannel channel) {
    this.key = key;
    this.owner = owner;
    this.channel = channel;
  }

  /** One open storage; compared by identity, so a late close cannot release a later owner. */
  private static final class Owner {
    private final String name;

    Owner(String name) {
      this.name = name;
    }
  }

  /**
   * Takes ownership of {@code directory} for the storage {@code name}.
   *
   * @throws DirectoryLockedException if it is open in this JVM or locked by another process
   * @throws StorageInterruptedException if the thread was interrupted while locking
   */
  static DirectoryLock acquire(Path directory, String name, boolean readOnly) {
    Path key;
    try {
      key = directory.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve storage directory " + directory, e);
    }
    Owner owner = new Owner(name);
    Owner holder = OPEN_IN_THIS_JVM.putIfAbsent(key, owner);
    if (holder != null) {
      throw new DirectoryLockedException(directory, "storage directory " + directory
          + " is already open in this JVM (storage '" + holder.name + "'); a directory can be"
          + " open in only one place at a time: close the other storage first");
    }
    try {
      return new DirectoryLock(key, owner, lockFile(directory, readOnly));
    } catch (RuntimeException | Error e) {
      OPEN_IN_THIS_JVM.remove(key, owner);
      throw e;
    }
  }

  private static FileChannel lockFile(Path directory, boolean readOnly) {
    Path lockPath = directory.resolve(LOCK_FILE);
    FileChannel channel = null;
    try {
      if (readOnly) {
        if (!Files.isReadable(lockPath)) {
          return null;
        }
        channel = FileChannel.open(lockPath, StandardOpenOption.READ);
      } else {
        createIfMissing(lockPath);
        channel = FileChannel.open(lockPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      FileLock lock;
      try {
        lock = channel.tryLock(0, Long.MAX_VALUE, readOnly);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String owner = ownerOf(channel);
        throw new DirectoryLockedException(directory, "storage directory " + directory
            + " is locked by another process (lock file " + lockPath + owner + "); a directory"
            + " can be open in only one place at a time");
      }
      if (!readOnly) {
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
      }
      FileChannel locked = channel;
      channel = null;
      return locked;
    } catch (ClosedByInterruptException e) {
      InterruptedException cause = new InterruptedException("interrupted while locking " + lockPath);
      cause.initCause(e);
      throw new StorageInterruptedException(
          "interrupted while locking storage directory " + directory, cause);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock storage directory " + directory
          + " (lock file " + lockPath + ")", e);
    } finally {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // nothing was locked through it; the open failure is what matters
        }
      }
    }
  }

  private static void createIfMissing(Path lockPath) throws IOException {
    if (Files.notExists(lockPath)) {
      try {
        DurableFiles.createOwnerOnly(lockPath);
      } catch (FileAlreadyExistsException raced) {
        // another opener created it first; the lock decides who wins
      }
    }
  }

  /** Returns ", held by pid N" from the lock file, or "" if it cannot be read. */
  private static String ownerOf(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String content = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
      return content.matches("\\d+") ? ", held by pid " + content : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Releases the directory. Idempotent. */
  @Override
  public void close() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock file in " + key, e);
    } finally {
      OPEN_IN_THIS_JVM.remove(key, owner);
    }
  }
}
