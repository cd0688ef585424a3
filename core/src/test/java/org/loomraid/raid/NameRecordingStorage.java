package org.loomraid.raid;

import java.util.List;
import org.loomraid.storage.Storage;

/** Records the name of the thread of every call it forwards. */
final class NameRecordingStorage extends ForwardingStorage {

  private final List<String> names;

  NameRecordingStorage(Storage delegate, List<String> names) {
    super(delegate);
    this.names = names;
  }

  @Override
  void onCall() {
    names.add(Thread.currentThread().getName());
  }
}
