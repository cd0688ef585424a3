package org.loomraid.storage;

/**
 * A snapshot of a storage's size.
 *
 * @param objects how many objects have at least one stored revision
 * @param transactions how many committed transactions are stored
 * @param bytes how many bytes of object data are stored (all kept revisions; excludes overhead)
 */
public record StorageStats(long objects, long transactions, long bytes) {

  /**
   * Creates stats.
   *
   * @throws IllegalArgumentException if a count is negative
   */
  public StorageStats {
    if (objects < 0 || transactions < 0 || bytes < 0) {
      throw new IllegalArgumentException(
          "stats must not be negative: " + objects + ", " + transactions + ", " + bytes);
    }
  }
}
