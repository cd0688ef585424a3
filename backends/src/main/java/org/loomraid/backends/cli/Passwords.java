package org.loomraid.backends.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a keystore password from a file (first line), or the JDK's default {@code changeit}. */
final class Passwords {

  private Passwords() {}

  static char[] read(Path file) throws UsageException {
    if (file == null) {
      return "changeit".toCharArray();
    }
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      int end = content.indexOf('\n');
      String line = end < 0 ? content : content.substring(0, end);
      return line.strip().toCharArray();
    } catch (IOException e) {
      throw new UsageException("cannot read password file " + file + ": " + e.getMessage());
    }
  }
}
