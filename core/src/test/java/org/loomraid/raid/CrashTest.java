package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * The RAID dies between backend commits (a backend's commit never happens): reopening over the
 * same backends finds the laggard, degrades it "missing transactions", and loses no committed data.
 */
class CrashTest {

  @Test
  void laggardFromACrashBetweenCommitsIsDegradedAtReopenAndNoCommitIsLost() {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    MemoryStorage c = MemoryStorage.create("c");
    FaultyStorage cBeforeCrash = FaultyStorage.wrap(new SurvivingStorage(c));
    Tid first;
    Tid second;
    RaidStorage before = null;
    try {
      before = RaidStorage.builder("r")
          .callTimeout(Fixture.SHORT)
          .backend("a", () -> new SurvivingStorage(a))
          .backend("b", () -> new SurvivingStorage(b))
          .backend("c", () -> cBeforeCrash)
          .open();
      first = Fixture.commit(before, Oid.of(1), Tid.NONE, "v1");
      // c's commit never happens: the process "dies" while c has voted but not committed.
      cBeforeCrash.on(Operation.COMMIT).hangIgnoringInterrupts();
      second = Fixture.commit(before, Oid.of(1), first, "v2");
      assertEquals(first, c.lastTransaction(), "c missed the second commit");
      // No close: the RAID process is gone. Its backends' data survives.
    } finally {
      cBeforeCrash.clearAll();
      cBeforeCrash.releaseHangs();
    }
    try {
      reopenAndCheck(a, b, c, first, second);
    } finally {
      if (before != null) {
        before.close(); // only now, so that the test leaves nothing open behind it
      }
    }
  }

  private static void reopenAndCheck(MemoryStorage a, MemoryStorage b, MemoryStorage c,
      Tid first, Tid second) {
    try (RaidStorage after = RaidStorage.builder("r")
        .backend("a", () -> new SurvivingStorage(a))
        .backend("b", () -> new SurvivingStorage(b))
        .backend("c", () -> new SurvivingStorage(c))
        .open()) {
      assertEquals(RaidStatus.DEGRADED, after.status());
      BackendInfo laggard = after.backends().get(2);
      assertEquals(BackendState.DEGRADED, laggard.state());
      assertTrue(laggard.reason().startsWith("missing transactions"), laggard.reason());
      assertEquals(1, laggard.lag());
      assertEquals(second, after.lastTransaction());
      assertEquals("v2", Fixture.text(after.load(Oid.of(1)).data()));
      Tid third = Fixture.commit(after, Oid.of(1), second, "v3");
      assertEquals(third, a.lastTransaction());
      assertEquals(third, b.lastTransaction());
      assertEquals(first, c.lastTransaction(), "the laggard gets nothing until recovered");
    }
  }
}
