package org.loomraid.backends.file;

/** When a {@link FileStorage} forces its log to the storage device. */
public enum FsyncPolicy {

  /**
   * Every commit, restore and object id reservation is synced to the device before it returns:
   * an acknowledged commit survives a crash of the process, the operating system or the machine.
   * The default.
   */
  EVERY_COMMIT,

  /**
   * Nothing is synced until close or pack: a commit survives a crash of the process (the data is
   * in the operating system's cache) but not of the operating system or machine. For tests and
   * benchmarks, or for a mirror whose partners are durable.
   */
  NONE
}
