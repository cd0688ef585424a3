package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/** Startup: parallel opening, failures tolerated, laggards degraded, no working backend refused. */
class StartupTest {

  @Test
  void backendFailingToOpenIsDegradedAndTheRaidWorksWithTheOthers() {
    MemoryStorage a = MemoryStorage.create("a");
    try (RaidStorage raid = RaidStorage.builder("r")
        .backend("a", () -> a)
        .backend("b", () -> {
          throw new IOException("disk not mounted");
        })
        .open()) {
      assertEquals(RaidStatus.DEGRADED, raid.status());
      BackendInfo b = raid.backends().get(1);
      assertEquals(BackendState.DEGRADED, b.state());
      assertEquals("error in open: IOException: disk not mounted", b.reason());
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      assertEquals(tid, a.lastTransaction());
    }
  }

  @Test
  void openerReturningNullOrFailingLastTransactionIsDegraded() {
    FaultyStorage c = FaultyStorage.wrap(MemoryStorage.create("c"));
    c.on(Operation.LAST_TRANSACTION).failAlways(() -> new UncheckedIOException(
        new IOException("read error")));
    try (RaidStorage raid = RaidStorage.builder("r")
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> null)
        .backend("c", () -> c)
        .open()) {
      assertEquals("error in open: IllegalStateException: the opener returned null",
          raid.backends().get(1).reason());
      assertTrue(raid.backends().get(2).reason()
          .startsWith("error in lastTransaction: UncheckedIOException"));
      assertEquals(1, c.calls(Operation.CLOSE), "the half-opened storage was closed");
    }
  }

  @Test
  void backendsBehindTheHighestLastTidAreDegradedMissingTransactions() {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    MemoryStorage c = MemoryStorage.create("c");
    Tid first = Fixture.commit(a, Oid.of(1), Tid.NONE, "v1");
    Fixture.commit(b, Oid.of(1), Tid.NONE, "v1");
    Tid second = Fixture.commit(a, Oid.of(1), first, "v2");
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();

    try (RaidStorage raid = RaidStorage.builder("r")
        .backend("a", () -> a).backend("b", () -> b).backend("c", () -> c)
        .listener(transitions::add)
        .open()) {
      assertEquals(RaidStatus.DEGRADED, raid.status());
      assertEquals(BackendState.OPTIMAL, raid.backends().get(0).state());
      BackendInfo lagging = raid.backends().get(1);
      assertEquals(BackendState.DEGRADED, lagging.state());
      assertTrue(lagging.reason().startsWith("missing transactions"), lagging.reason());
      assertEquals(1, lagging.lag());
      assertEquals(2, raid.backends().get(2).lag());
      assertEquals(second, raid.lastTransaction());
      assertEquals("v2", Fixture.text(raid.load(Oid.of(1)).data()));

      assertEquals(3, transitions.size());
      for (BackendTransition t : transitions) {
        assertNull(t.from(), "entering the RAID");
        assertEquals("r", t.raid());
      }
    }
  }

  @Test
  void noWorkingBackendRefusesToOpenAndClosesWhatItOpened() {
    FaultyStorage b = FaultyStorage.wrap(MemoryStorage.create("b"));
    b.on(Operation.LAST_TRANSACTION).failAlways();
    RaidException e = assertThrows(RaidException.class, () -> RaidStorage.builder("r")
        .backend("a", () -> {
          throw new IllegalStateException("no such directory");
        })
        .backend("b", () -> b)
        .open());
    assertTrue(e.getMessage().contains("cannot open: no backend works"), e.getMessage());
    assertTrue(e.getMessage().contains("a: error in open: IllegalStateException"), e.getMessage());
    assertTrue(e.getMessage().contains("b: error in lastTransaction"), e.getMessage());
    org.awaitility.Awaitility.await().until(() -> b.calls(Operation.CLOSE) == 1);
  }

  @Test
  void backendsOpenInParallel() {
    CountDownLatch allOpening = new CountDownLatch(3);
    RaidStorage.Builder builder = RaidStorage.builder("r");
    for (String name : List.of("a", "b", "c")) {
      builder.backend(name, () -> {
        allOpening.countDown();
        if (!allOpening.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other backends were not opened meanwhile");
        }
        return MemoryStorage.create(name);
      });
    }
    try (RaidStorage raid = builder.open()) {
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void backendHangingWhileOpeningIsDegradedAfterTheOpenDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    try (RaidStorage raid = RaidStorage.builder("r")
        .openTimeout(Fixture.SHORT)
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> {
          never.await();
          return MemoryStorage.create("b");
        })
        .open()) {
      assertEquals("no response within 300ms in open", raid.backends().get(1).reason());
    } finally {
      never.countDown();
    }
  }

  @Test
  void missingMajorityRefusesToOpenWhenTheFailModeIsClose() {
    RaidException e = assertThrows(RaidException.class, () -> RaidStorage.builder("r")
        .redundancy(Redundancy.MAJORITY)
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> {
          throw new IllegalStateException("down");
        })
        .backend("c", () -> {
          throw new IllegalStateException("down");
        })
        .open());
    assertTrue(e.getMessage().contains("only 1 of 3 backends optimal"), e.getMessage());
  }

  @Test
  void missingMajorityOpensReadOnlyWhenTheFailModeIsReadOnly() {
    MemoryStorage a = MemoryStorage.create("a");
    Tid tid = Fixture.commit(a, Oid.of(1), Tid.NONE, "v1");
    try (RaidStorage raid = RaidStorage.builder("r")
        .redundancy(Redundancy.MAJORITY).failMode(FailMode.READ_ONLY)
        .backend("a", () -> a)
        .backend("b", () -> MemoryStorage.create("b"))
        .backend("c", () -> MemoryStorage.create("c"))
        .open()) {
      assertEquals(RaidStatus.FAILED, raid.status());
      assertEquals(tid, raid.lastTransaction());
      assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
      assertThrows(RaidReadOnlyException.class, () -> raid.begin(TransactionMeta.EMPTY));
    }
  }

  @Test
  void oidCountersAreAlignedAtStartup() {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    a.reserveOids(Oid.of(50));
    try (RaidStorage raid = RaidStorage.builder("r")
        .backend("a", () -> a).backend("b", () -> b).open()) {
      Oid oid = raid.newOid();
      assertTrue(oid.value() > 50, "" + oid);
      assertEquals(RaidStatus.OPTIMAL, raid.status(), "neither counter counts as ahead");
      assertEquals(raid.newOid().value(), oid.value() + 1);
    }
  }

  @Test
  void closedBackendAtStartupIsDegraded() {
    Storage closed = MemoryStorage.create("b");
    closed.close();
    try (RaidStorage raid = RaidStorage.builder("r")
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> closed)
        .callTimeout(Duration.ofSeconds(2))
        .open()) {
      assertTrue(raid.backends().get(1).reason().contains(
          StorageClosedException.class.getSimpleName()), raid.backends().get(1).reason());
    }
  }
}
