package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

class CommitWorkloadTest {

  @Test
  void everyCommitUpdatesTheNextSetOfObjectsWithoutConflict() {
    try (Storage storage = MemoryStorage.create("s")) {
      CommitWorkload workload = new CommitWorkload(storage, 3, 2);

      Tid first = workload.commitOnce();
      Tid second = workload.commitOnce();
      Tid third = workload.commitOnce(); // back to the first set: an update, not a conflict

      assertTrue(third.isAfter(second) && second.isAfter(first));
      assertEquals(3, storage.stats().transactions());
      assertEquals(6, storage.stats().objects());
      try (TransactionIterator all = storage.transactions(Tid.NONE)) {
        TransactionRecord one = all.next();
        all.next();
        TransactionRecord three = all.next();
        assertEquals(3, one.records().size());
        assertEquals(one.records().get(0).oid(), three.records().get(0).oid());
        assertEquals(CommitWorkload.RECORD_BYTES, three.records().get(0).length());
      }
    }
  }

  @Test
  void commitsThroughARaidToo() {
    try (Storage raid = CommitPath.PARALLEL_THREADS.open(3, Duration.ZERO)) {
      CommitWorkload workload = new CommitWorkload(raid, 10, 4);
      for (int i = 0; i < 9; i++) {
        workload.commitOnce();
      }
      assertEquals(9, raid.stats().transactions());
      RaidSubject.requireIntact(raid);
    }
  }

  @Test
  void clientsGetDisjointObjectsFromOneReservation() {
    try (Storage storage = MemoryStorage.create("s")) {
      CommitWorkload[] clients = CommitWorkload.forClients(storage, 4, 2, 3);
      for (CommitWorkload client : clients) {
        client.commitOnce();
      }
      Set<Oid> written = new HashSet<>();
      try (TransactionIterator all = storage.transactions(Tid.NONE)) {
        while (all.hasNext()) {
          all.next().records().forEach(record -> assertTrue(written.add(record.oid())));
        }
      }
      assertEquals(8, written.size());
      assertTrue(storage.newOid().value() > 4 * 2 * 3, "the whole block stays reserved");
    }
  }

  @Test
  void emptyTransactionsCommitNothingButATransaction() {
    try (Storage storage = MemoryStorage.create("s")) {
      CommitWorkload empty = CommitWorkload.empty(storage);
      empty.commitOnce();
      empty.commitOnce();
      assertEquals(2, storage.stats().transactions());
      assertEquals(0, storage.stats().objects());
    }
  }

  @Test
  void countsMustBePositive() {
    try (Storage storage = MemoryStorage.create("s")) {
      assertThrows(IllegalArgumentException.class, () -> new CommitWorkload(storage, 0, 1));
      assertThrows(IllegalArgumentException.class, () -> new CommitWorkload(storage, 1, 0));
      assertThrows(IllegalArgumentException.class,
          () -> CommitWorkload.forClients(storage, 0, 1, 1));
    }
  }
}
