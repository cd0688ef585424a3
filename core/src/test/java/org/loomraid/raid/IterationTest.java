package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * Iterating a RAID's history: every step into a backend is bounded by the deadline, and an outcome
 * of a retired instance never touches the backend's new one.
 */
class IterationTest {

  private static final Duration MARGIN = Duration.ofMillis(700);

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aHangingIteratorCostsOneDeadlineAndTheIterationGoesOnOnAnotherBackend(boolean deaf) {
    try (Fixture f = Fixture.of(2)) {
      // Round robin: the first read of the RAID goes to a.
      f.builder.callTimeout(Fixture.SHORT).readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      List<Tid> tids = RecoveryTest.commitMany(raid, 600, 1);
      if (deaf) {
        f.faulty(0).on(Operation.ITERATE).hangIgnoringInterrupts();
      } else {
        f.faulty(0).on(Operation.ITERATE).hang();
      }

      List<Tid> seen = new ArrayList<>();
      long start = System.nanoTime();
      try (TransactionIterator it = raid.transactions(Tid.NONE)) {
        it.forEachRemaining(record -> seen.add(record.tid()));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertEquals(tids, seen, "one unbroken sequence");
      assertTrue(took.compareTo(Fixture.SHORT.plus(MARGIN)) < 0, "took " + took);
      assertTrue(f.faulty(0).calls(Operation.ITERATE) >= 1, "a's iterator was called");
      assertEquals(BackendState.DEGRADED, f.info(0).state());
      assertEquals("no response within 300ms in transactions (iterating)", f.info(0).reason());
      assertEquals(BackendState.OPTIMAL, f.info(1).state());
      if (deaf) {
        assertEquals(1, f.faulty(0).hanging(), "a's iterator still hangs, deaf to interrupts");
        assertTrue(raid.abandonedThreads() >= 1, "the deaf thread is tracked");
      }
    }
  }

  @Test
  void aFailureOfARetiredInstanceNeverDegradesItsSuccessor() throws Exception {
    try (Fixture f = Fixture.of(2).freshInstances()) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      RecoveryTest.commitMany(raid, 600, 1);
      raid.admin().disable("a");
      TransactionIterator old = raid.transactions(Tid.NONE); // on b's first instance
      RecoveryTest.awaitEnd(raid.admin().recover("a"));
      raid.admin().disable("b");
      RecoveryProgress recovered = RecoveryTest.awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, recovered.phase(), recovered.toString());
      assertTrue(f.instances.get(1).get(0).isClosed(), "b's first instance was retired");

      int count = 0;
      try (old) {
        while (old.hasNext()) {
          old.next();
          count++;
        }
      }

      assertEquals(600, count, "the iteration went on after the retired instance failed");
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
      Fixture.commit(raid, Oid.of(900), Tid.NONE, "both in service");
    }
  }

  @Test
  void aLateReadOfARetiredInstanceNeverFailsTheSuccessorsRecovery() throws Exception {
    try (Fixture f = Fixture.of(2).freshInstances()) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      RecoveryTest.commitMany(raid, 2000, 1);
      raid.admin().disable("a");
      TransactionIterator old = raid.transactions(Tid.NONE); // on b's first instance
      RecoveryTest.awaitEnd(raid.admin().recover("a"));
      raid.admin().disable("b");
      f.faulty(1).on(Operation.RESTORE).delay(Duration.ofMillis(1));
      RecoveryHandle recovering = raid.admin().recover("b");

      try (old) {
        while (old.hasNext()) {
          old.next(); // fails on the retired instance while b's new one is being recovered
        }
      }

      RecoveryProgress progress = RecoveryTest.awaitEnd(recovering);
      assertEquals(RecoveryPhase.DONE, progress.phase(), progress.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
    }
  }
}
