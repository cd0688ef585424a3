package org.loomraid.raid;

import org.loomraid.storage.Storage;

/**
 * Opens one backend of a RAID. The RAID calls it at startup and again whenever the backend is
 * recovered, so it must return a fresh, open instance over the same data on every call.
 */
@FunctionalInterface
public interface StorageOpener {

  /**
   * Opens the backend.
   *
   * @return an open storage, never null
   * @throws Exception if the backend cannot be opened; the RAID degrades it and carries on
   */
  Storage open() throws Exception;
}
