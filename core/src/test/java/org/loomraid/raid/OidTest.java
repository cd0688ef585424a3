package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;

/** newOid() asks every optimal backend and keeps their counters in step. */
class OidTest {

  @Test
  void backendWhoseCounterRanAheadIsDegraded() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Oid first = raid.newOid();
      f.memory(2).newOid();

      Oid second = raid.newOid();

      assertEquals(first.value() + 1, second.value());
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertTrue(f.info(2).reason().startsWith("inconsistent OIDs"), f.info(2).reason());
    }
  }

  @Test
  void backendWhoseCounterIsBehindIsAdvanced() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.memory(0).newOid();
      f.memory(1).newOid();

      Oid agreed = raid.newOid();

      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertEquals(2, f.faulty(2).calls(Operation.RESERVE_OIDS), "aligned at open, then advanced");
      assertEquals(1, f.faulty(0).calls(Operation.RESERVE_OIDS), "aligned at open only");
      Oid next = raid.newOid();
      assertEquals(agreed.value() + 1, next.value());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void wrongOidFromOneBackendIsDegraded() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      f.faulty(1).on(Operation.NEW_OID).wrongResult();
      raid.newOid();
      assertEquals(BackendState.DEGRADED, f.info(1).state());
    }
  }

  @Test
  void storingAnExplicitOidAboveTheCountersKeepsThemInStep() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1000), Tid.NONE, "explicit");
      assertTrue(raid.newOid().value() > 1000);
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void concurrentAllocationsAreUniqueAndDegradeNothing() throws Exception {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Set<Oid> seen = ConcurrentHashMap.newKeySet();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> futures = new java.util.ArrayList<>();
        for (int t = 0; t < 20; t++) {
          int writer = t;
          futures.add(pool.submit(() -> {
            for (int i = 0; i < 25; i++) {
              assertTrue(seen.add(raid.newOid()));
              if (i % 5 == 0) {
                Fixture.commit(raid, Oid.of(100_000 + writer * 100 + i), Tid.NONE, "x");
              }
            }
            return null;
          }));
        }
        for (Future<?> future : futures) {
          future.get();
        }
      }
      assertEquals(500, seen.size());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }
}
