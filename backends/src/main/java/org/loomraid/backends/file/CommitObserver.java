package org.loomraid.backends.file;

import org.loomraid.storage.Tid;

/**
 * Called by a commit or restore under the append lock after its unit is written and indexed and
 * before its tid is published as the last transaction. Tests hold a commit there to see what
 * concurrent readers and writers are shown of a transaction that is not yet visible.
 */
@FunctionalInterface
interface CommitObserver {

  /** Observes nothing. */
  CommitObserver NONE = tid -> { };

  /** Called when transaction {@code tid} is indexed but not yet visible. */
  void indexed(Tid tid);
}
