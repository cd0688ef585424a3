package org.loomraid.backends.file;

import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * Observes steps of commits and reads, for tests that hold one thread at a step to see what
 * others are shown meanwhile. Called on the thread taking the step.
 */
interface StepObserver {

  /** Observes nothing. */
  StepObserver NONE = new StepObserver() { };

  /**
   * Called by a commit or restore under the append lock, after its unit is written and indexed
   * and before its tid is published as the last transaction.
   */
  default void indexed(Tid tid) { }

  /** Called by {@code load} after it took its snapshot and before it looks at {@code oid}. */
  default void snapshotTaken(Oid oid) { }
}
