package org.loomraid.backends.file;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;

/**
 * What a storage holding a given history must answer, computed straight from the
 * {@code Storage} Javadoc: an independent model to check the file storage against.
 */
final class HistoryModel {

  private final List<TransactionRecord> history;
  private final Map<Oid, List<Revision>> revisions = new LinkedHashMap<>();

  HistoryModel(List<TransactionRecord> history) {
    this.history = List.copyOf(history);
    for (TransactionRecord record : history) {
      for (DataRecord data : record.records()) {
        revisions.computeIfAbsent(data.oid(), oid -> new ArrayList<>())
            .add(new Revision(data.oid(), record.tid(), data.data()));
      }
    }
  }

  List<TransactionRecord> history() {
    return history;
  }

  Set<Oid> oids() {
    return revisions.keySet();
  }

  /**
   * The history after {@code pack(before)}: for every object, keep each revision with a serial
   * {@code >= before} and the newest one before it; keep every transaction.
   */
  HistoryModel packed(Tid before) {
    Set<String> dropped = new HashSet<>();
    for (List<Revision> list : revisions.values()) {
      int newestBefore = -1;
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).serial().isBefore(before)) {
          newestBefore = i;
        }
      }
      for (int i = 0; i < newestBefore; i++) {
        dropped.add(list.get(i).oid() + "@" + list.get(i).serial());
      }
    }
    List<TransactionRecord> kept = new ArrayList<>();
    for (TransactionRecord record : history) {
      List<DataRecord> records = new ArrayList<>();
      for (DataRecord data : record.records()) {
        if (!dropped.contains(data.oid() + "@" + record.tid())) {
          records.add(data);
        }
      }
      kept.add(new TransactionRecord(record.tid(), record.meta(), records));
    }
    return new HistoryModel(kept);
  }

  Revision load(Oid oid) {
    List<Revision> list = revisions.get(oid);
    if (list == null) {
      throw new ObjectNotFoundException(oid);
    }
    return list.get(list.size() - 1);
  }

  Optional<Revision> loadBefore(Oid oid, Tid tid) {
    List<Revision> list = revisions.get(oid);
    if (list == null) {
      throw new ObjectNotFoundException(oid);
    }
    Revision found = null;
    for (Revision revision : list) {
      if (revision.serial().isBefore(tid)) {
        found = revision;
      }
    }
    return Optional.ofNullable(found);
  }

  Revision loadSerial(Oid oid, Tid serial) {
    for (Revision revision : revisions.getOrDefault(oid, List.of())) {
      if (revision.serial().equals(serial)) {
        return revision;
      }
    }
    throw new ObjectNotFoundException(oid, "no revision of " + oid + " with serial " + serial);
  }

  StorageStats stats() {
    long bytes = 0;
    for (TransactionRecord record : history) {
      bytes += record.dataLength();
    }
    return new StorageStats(revisions.size(), history.size(), bytes);
  }
}
