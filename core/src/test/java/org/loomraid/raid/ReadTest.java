package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage.Operation;

/** Reads: one optimal backend per read, by policy; answers at once; failover invisible. */
class ReadTest {

  @Test
  void roundRobinSpreadsReadsEvenly() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      for (int i = 0; i < 30; i++) {
        raid.load(Oid.of(1));
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(10, f.faulty(i).calls(Operation.LOAD), "backend " + i);
      }
    }
  }

  @Test
  void randomPolicyReachesEveryBackend() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      for (int i = 0; i < 300; i++) {
        raid.load(Oid.of(1));
      }
      for (int i = 0; i < 3; i++) {
        assertTrue(f.faulty(i).calls(Operation.LOAD) > 30, "backend " + i);
      }
    }
  }

  @Test
  void notFoundIsAnAnswerThatDegradesNothing() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      assertThrows(ObjectNotFoundException.class, () -> raid.load(Oid.of(5)));
      long calls = 0;
      for (int i = 0; i < 3; i++) {
        calls += f.faulty(i).calls(Operation.LOAD);
      }
      assertEquals(1, calls, "answered by one backend, not retried");
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void readsNeverTouchADegradedBackend() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      raid.admin().disable("b");
      long loads = f.faulty(1).calls(Operation.LOAD);
      long stats = f.faulty(1).calls(Operation.STATS);
      for (int i = 0; i < 100; i++) {
        raid.load(Oid.of(1));
        raid.stats();
      }
      assertEquals(loads, f.faulty(1).calls(Operation.LOAD));
      assertEquals(stats, f.faulty(1).calls(Operation.STATS));
    }
  }

  @Test
  void iterationContinuesOnAnotherBackendWhenOneFailsMidway() {
    try (Fixture f = Fixture.of(2)) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      List<Tid> committed = new ArrayList<>();
      Tid serial = Tid.NONE;
      for (int i = 0; i < 10; i++) {
        serial = Fixture.commit(raid, Oid.of(1), serial, "v" + i);
        committed.add(serial);
      }
      f.faulty(0).on(Operation.ITERATE).failAfter(8);

      List<Tid> seen = new ArrayList<>();
      try (TransactionIterator it = raid.transactions(Tid.NONE)) {
        while (it.hasNext()) {
          TransactionRecord record = it.next();
          seen.add(record.tid());
        }
      }

      assertEquals(committed, seen);
      assertEquals(BackendState.DEGRADED, f.info(0).state());
      assertTrue(f.info(0).reason().startsWith("error in transactions"), f.info(0).reason());
    }
  }
}
