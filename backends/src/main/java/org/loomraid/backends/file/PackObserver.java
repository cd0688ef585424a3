package org.loomraid.backends.file;

import java.io.IOException;

/**
 * Called as a pack passes each {@link PackStep}, on the packing thread. Tests use it to copy the
 * directory as a crash would leave it, or to fail a step; throwing aborts the pack as an I/O error
 * at that point would.
 */
@FunctionalInterface
interface PackObserver {

  /** Observes nothing. */
  PackObserver NONE = step -> { };

  /** Called when the pack has reached {@code step}. */
  void reached(PackStep step) throws IOException;
}
