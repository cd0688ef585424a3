package org.loomraid.backends.file;

/** The steps of a pack at which a {@link PackObserver} is called (for crash tests). */
enum PackStep {
  /** The live data up to the start of the pack is in the temporary file, not yet synced. */
  PREFIX_COPIED,
  /** That data is synced; the commit lock is not taken yet, so commits go on. */
  PREFIX_SYNCED,
  /** Under the commit lock: the temporary file is complete and synced; the old log is in place. */
  TEMP_SYNCED,
  /** The temporary file has been renamed over the old log; the directory is not yet synced. */
  RENAMED
}
