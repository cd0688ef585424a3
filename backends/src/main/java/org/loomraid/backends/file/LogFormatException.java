package org.loomraid.backends.file;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A log file cannot be used: it is not a loomraid log, has a format version this library does not
 * read, or (as the subclass {@link CorruptLogException}) is damaged. Thrown when a
 * {@link FileStorage} is opened (and by reads that find a damaged record). A failure, not a
 * storage answer. The message names the file and the byte offset where the problem is.
 */
public class LogFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  /**
   * Creates the exception.
   *
   * @param file the log file
   * @param offset the byte offset of the problem within the file
   * @param problem what is wrong, completing "log file &lt;file&gt;: ..."
   */
  public LogFormatException(Path file, long offset, String problem) {
    super("log file " + file + ": " + problem + " (at byte offset " + offset + ")");
    this.file = Objects.requireNonNull(file, "file");
    this.offset = offset;
  }

  /** Returns the log file. */
  public Path file() {
    return file;
  }

  /** Returns the byte offset of the problem within the file. */
  public long offset() {
    return offset;
  }
}
