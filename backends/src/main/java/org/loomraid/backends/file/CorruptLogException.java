package org.loomraid.backends.file;

import java.nio.file.Path;

/**
 * A log file is damaged somewhere a crash cannot explain: a unit that is not the last one fails
 * its checksum or structure check, or a stored record does not match its checksum when read. The
 * storage refuses to open (or to serve that read) rather than skip data. The message names the
 * file and byte offset; restore the file from a mirror or a backup. A failure, not a storage
 * answer.
 */
public class CorruptLogException extends LogFormatException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the log file
   * @param offset the byte offset of the damaged unit or record
   * @param problem what is wrong
   */
  public CorruptLogException(Path file, long offset, String problem) {
    super(file, offset, problem);
  }
}
