package org.loomraid.backends.file;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A storage directory is already open: in this JVM, or in another process that holds its lock
 * file. A directory is owned by one open {@link FileStorage} at a time; close the other one first.
 * A failure, not a storage answer.
 */
public class DirectoryLockedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  /**
   * Creates the exception.
   *
   * @param directory the locked directory
   * @param message the full message, naming the directory and who holds it
   */
  public DirectoryLockedException(Path directory, String message) {
    super(message);
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** Returns the locked directory. */
  public Path directory() {
    return directory;
  }
}
