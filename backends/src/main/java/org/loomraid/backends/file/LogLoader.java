package org.loomraid.backends.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a storage directory's log to a usable state on open: removes files a crash left behind,
 * creates the log if there is none, validates and indexes every unit, and cuts off a torn tail.
 */
final class LogLoader {

  /** The log file's name within the storage directory. */
  static final String LOG_FILE = "loomraid.log";

  /** Where pack writes the new log before renaming it over the old one. */
  static final String PACK_FILE = "loomraid.log.pack";

  /** Where a new log is prepared before it is renamed into place. */
  static final String NEW_FILE = "loomraid.log.new";

  private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

  private LogLoader() {}

  /** The loaded log and what the scan learned. */
  record Loaded(LogFile file, long lastTid, long maxOid, long reservedThrough) {}

  /**
   * Loads the log in {@code directory}, creating it if missing (unless read-only).
   *
   * @throws LogFormatException if the file is not a usable log; {@link CorruptLogException} if it
   *     is damaged anywhere but in a torn last unit
   * @throws IllegalArgumentException if read-only and there is no log
   */
  static Loaded load(Path directory, String name, boolean readOnly) throws IOException {
    Path logPath = directory.resolve(LOG_FILE);
    if (!readOnly) {
      removeLeftover(name, directory.resolve(PACK_FILE), "a pack interrupted by a crash");
      removeLeftover(name, directory.resolve(NEW_FILE), "a log creation interrupted by a crash");
    }
    if (Files.notExists(logPath)) {
      if (readOnly) {
        throw new IllegalArgumentException("storage directory " + directory + " holds no log ("
            + LOG_FILE + "), and a read-only storage cannot create one");
      }
      create(directory, logPath);
    }
    RandomAccessFile file = new RandomAccessFile(logPath.toFile(), readOnly ? "r" : "rw");
    try {
      LogScanner scanner = new LogScanner(logPath, file, file.length());
      scanner.checkFileHeader();
      LogScanner.Result result = scanner.scan();
      if (result.tornTail() != null) {
        handleTornTail(name, logPath, file, result, readOnly);
      }
      LogFile logFile = new LogFile(logPath, result.index(), readOnly ? null : file, result.end());
      if (readOnly) {
        file.close();
      }
      LOG.debug("storage '{}': loaded {} transactions from {} ({} bytes)",
          name, result.index().tidPositions().size(), logPath, result.end());
      return new Loaded(logFile, result.lastTid(), result.maxOid(), result.reservedThrough());
    } catch (IOException | RuntimeException | Error e) {
      try {
        file.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static void handleTornTail(
      String name, Path logPath, RandomAccessFile file, LogScanner.Result result, boolean readOnly)
      throws IOException {
    LogScanner.TornTail torn = result.tornTail();
    if (readOnly) {
      LOG.warn("storage '{}': log {} ends in a torn unit at byte offset {} ({} bytes: {}), left by"
              + " a crash during a write; read-only, so it is ignored but not truncated",
          name, logPath, torn.offset(), torn.length(), torn.problem());
      return;
    }
    file.setLength(result.end());
    file.getFD().sync();
    LOG.warn("storage '{}': log {} ended in a torn unit at byte offset {} ({} bytes: {}), left by"
            + " a crash during a write that was never acknowledged; truncated to the last"
            + " complete transaction", name, logPath, torn.offset(), torn.length(), torn.problem());
  }

  private static void removeLeftover(String name, Path leftover, String cause) throws IOException {
    if (DurableFiles.deleteIfExists(leftover)) {
      LOG.warn("storage '{}': removed {}, left by {}; the log itself is intact", name, leftover, cause);
    }
  }

  /** Creates an empty log under a temporary name, then renames it into place, durably. */
  private static void create(Path directory, Path logPath) throws IOException {
    Path temp = directory.resolve(NEW_FILE);
    DurableFiles.createOwnerOnly(temp);
    try (RandomAccessFile file = new RandomAccessFile(temp.toFile(), "rw")) {
      file.write(LogFormat.fileHeader());
      file.getFD().sync();
    }
    DurableFiles.moveAtomically(temp, logPath);
    DurableFiles.syncDirectory(directory);
  }
}
