package org.loomraid.backends.remote.server;

import org.loomraid.raid.StorageOpener;

/**
 * Turns the backend specs an operator gives to {@code ADMIN_ADD} ({@code loomraid ctl add NAME
 * SPEC}) into openers for the served RAID. The command line supplies one that understands
 * {@code file:/directory} and {@code remote:host:port}; a server given none refuses to add backends
 * by spec.
 */
@FunctionalInterface
public interface BackendOpeners {

  /**
   * Returns an opener for the backend {@code name} at {@code spec}; the spec is checked now, the
   * storage opened each time the opener runs.
   *
   * @throws IllegalArgumentException if the spec is malformed (the message names it)
   */
  StorageOpener opener(String name, String spec);
}
