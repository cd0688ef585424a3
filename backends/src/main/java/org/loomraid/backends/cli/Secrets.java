package org.loomraid.backends.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads a shared secret from a file, as the command line's {@code --secret-file} names it. */
final class Secrets {

  private static final int MIN_LENGTH = 16;

  private Secrets() {}

  /**
   * Returns the file's bytes without a trailing line break, or null if {@code file} is null.
   *
   * @throws UsageException if the file cannot be read or the secret is shorter than 16 bytes
   */
  static byte[] read(Path file, String option) throws UsageException {
    if (file == null) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UsageException("--" + option + ": cannot read " + file + ": " + e.getMessage());
    }
    int length = bytes.length;
    while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
      length--;
    }
    if (length < MIN_LENGTH) {
      throw new UsageException("--" + option + ": the secret in " + file + " must be at least "
          + MIN_LENGTH + " bytes, was " + length);
    }
    return Arrays.copyOf(bytes, length);
  }
}
