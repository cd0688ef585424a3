package org.loomraid.backends.file;

import java.io.IOException;

/**
 * Injects I/O failures into appends, for tests of the failure paths: called under the append lock
 * just before a unit is written, before it is synced, and before a failed write is cut back. Throwing there acts as the write or sync
 * failing; {@code beforeWrite} may first write part of the unit, as a write cut short by a full
 * disk would.
 */
interface WriteFaults {

  /** Injects nothing. */
  WriteFaults NONE = new WriteFaults() { };

  /** Called before {@code unit} is written at the end of {@code file}. */
  default void beforeWrite(LogFile file, byte[] unit) throws IOException { }

  /** Called before the log is synced after a write. */
  default void beforeSync() throws IOException { }

  /** Called before a failed write is cut back off the log; throwing acts as the cut failing. */
  default void beforeTruncate() throws IOException { }
}
