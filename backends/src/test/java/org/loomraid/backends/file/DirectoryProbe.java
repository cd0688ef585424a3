package org.loomraid.backends.file;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs in a child JVM for {@link DirectoryLockTest}. {@code hold <dir>}: opens the storage, prints
 * {@code OPEN}, and keeps it open until its standard input closes. {@code try <dir>}: tries to
 * open the storage and prints {@code OPENED} or {@code LOCKED <message>}.
 */
public final class DirectoryProbe {

  private DirectoryProbe() {}

  /** Entry point: {@code hold|try <directory>}. */
  public static void main(String[] args) throws IOException {
    Path directory = Path.of(args[1]);
    if (args[0].equals("hold")) {
      try (FileStorage storage = FileStorage.open(directory)) {
        System.out.println("OPEN " + storage.name());
        System.out.flush();
        while (System.in.read() >= 0) {
          // hold the directory until the parent closes our input or kills us
        }
      }
      return;
    }
    try (FileStorage storage = FileStorage.open(directory)) {
      System.out.println("OPENED " + storage.name());
    } catch (DirectoryLockedException e) {
      System.out.println("LOCKED " + e.getMessage());
    }
    System.out.flush();
  }
}
