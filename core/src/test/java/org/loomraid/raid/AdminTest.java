package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;

/** Every RaidAdmin operation, and each refusal: clear error, nothing changed. */
class AdminTest {

  private static void refused(Class<? extends Throwable> type, String words, Executable call) {
    Throwable e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }

  private static List<String> states(RaidStorage raid) {
    return raid.backends().stream().map(b -> b.name() + "=" + b.state()).toList();
  }

  @Test
  void disableTakesAnOptimalBackendOutAndRefusesWhatItMayNot() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.redundancy(Redundancy.MAJORITY);
      RaidStorage raid = f.open();
      RaidAdmin admin = raid.admin();

      admin.disable("a");

      assertEquals(BackendState.DEGRADED, raid.backends().get(0).state());
      assertEquals("disabled by operator", raid.backends().get(0).reason());
      await().until(() -> f.closes(0) == 1);
      List<String> before = states(raid);
      refused(IllegalStateException.class, "below the minimum redundancy MAJORITY",
          () -> admin.disable("b"));
      refused(IllegalStateException.class, "already DEGRADED", () -> admin.disable("a"));
      refused(IllegalArgumentException.class, "no backend named 'x'", () -> admin.disable("x"));
      refused(NullPointerException.class, "name", () -> admin.disable(null));
      assertEquals(before, states(raid), "refusals changed nothing");
    }
  }

  @Test
  void lastOptimalBackendCannotBeDisabledOrRemoved() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("a");
      refused(IllegalStateException.class, "last optimal backend",
          () -> raid.admin().disable("b"));
      refused(IllegalStateException.class, "would leave 0 of 1",
          () -> raid.admin().remove("b"));
      assertEquals(BackendState.OPTIMAL, raid.backends().get(1).state());
    }
  }

  @Test
  void recoverRefusesOptimalRecoveringAndUnknownBackends() throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RaidAdmin admin = raid.admin();
      refused(IllegalStateException.class, "it is OPTIMAL", () -> admin.recover("a"));
      refused(IllegalArgumentException.class, "no backend named", () -> admin.recover("z"));

      admin.disable("b");
      RecoveryTest.commitMany(raid, 100, 100);
      f.faulty(1).on(Operation.RESTORE).delay(Duration.ofMillis(5));
      RecoveryHandle handle = admin.recover("b");
      assertEquals("b", handle.backend());
      refused(IllegalStateException.class, "already being recovered", () -> admin.recover("b"));
      f.faulty(1).on(Operation.RESTORE).clear();
      assertTrue(handle.await(Duration.ofSeconds(30)));
      assertTrue(handle.isDone());
      assertEquals(RecoveryPhase.DONE, handle.progress().phase());
    }
  }

  /**
   * Disables "b", commits 200 transactions, and starts recovering it slowly (5 ms per restore);
   * returns once the recovery has copied something, so that it is surely still running.
   */
  private static RecoveryHandle recoveryUnderWay(Fixture f, RaidStorage raid) {
    raid.admin().disable("b");
    RecoveryTest.commitMany(raid, 200, 100);
    f.faulty(1).on(Operation.RESTORE).delay(Duration.ofMillis(5));
    RecoveryHandle handle = raid.admin().recover("b");
    await().until(() -> f.faulty(1).calls(Operation.RESTORE) >= 2);
    return handle;
  }

  @Test
  void disablingARecoveringBackendCancelsItsRecovery() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RecoveryHandle handle = recoveryUnderWay(f, raid);

      raid.admin().disable("b");

      assertTrue(handle.isDone());
      assertEquals(RecoveryPhase.CANCELLED, handle.progress().phase());
      assertEquals("disabled by operator", raid.backends().get(1).reason());
      assertEquals(BackendState.DEGRADED, raid.backends().get(1).state());
    }
  }

  @Test
  void addedBackendEntersDegradedAddedAndCanBeRecovered() throws Exception {
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    try (Fixture f = Fixture.of(2)) {
      f.builder.listener(transitions::add);
      RaidStorage raid = f.open();
      RecoveryTest.commitMany(raid, 5, 100);
      transitions.clear();
      MemoryStorage c = MemoryStorage.create("c");

      raid.admin().add("c", () -> new SurvivingStorage(c));

      BackendInfo added = raid.backends().get(2);
      assertEquals("c", added.name());
      assertEquals(BackendState.DEGRADED, added.state());
      assertEquals("added", added.reason());
      assertEquals(new BackendTransition("r", "c", null, BackendState.DEGRADED, "added"),
          transitions.get(0));
      assertEquals(RaidStatus.DEGRADED, raid.status());

      RecoveryHandle handle = raid.admin().recover("c");
      assertTrue(handle.await(Duration.ofSeconds(30)));
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertEquals(RecoveryTest.history(f.memory(0)), RecoveryTest.history(c));
      Tid tid = Fixture.commit(raid, Oid.of(9), Tid.NONE, "after");
      assertEquals(tid, c.lastTransaction(), "the added backend now gets writes");
    }
  }

  @Test
  void addRefusesDuplicateAndBlankNamesAndALossOfMajority() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.redundancy(Redundancy.MAJORITY);
      RaidStorage raid = f.open();
      RaidAdmin admin = raid.admin();
      refused(IllegalArgumentException.class, "already has a backend named 'a'",
          () -> admin.add("a", () -> MemoryStorage.create("a2")));
      refused(IllegalArgumentException.class, "must not be blank",
          () -> admin.add(" ", () -> MemoryStorage.create("x")));
      refused(NullPointerException.class, "opener", () -> admin.add("d", null));
      admin.disable("a");
      refused(IllegalStateException.class, "would leave 2 of 4 backends optimal",
          () -> admin.add("d", () -> MemoryStorage.create("d")));
      assertEquals(3, raid.backends().size(), "nothing was added");
    }
  }

  @Test
  void removeTakesABackendOutOfTheConfiguration() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      raid.admin().disable("c");

      raid.admin().remove("c");
      raid.admin().remove("a");

      assertEquals(List.of("b=OPTIMAL"), states(raid));
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      await().until(() -> f.closes(0) == 1);
      refused(IllegalArgumentException.class, "no backend named 'a'",
          () -> raid.admin().remove("a"));
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      assertEquals(tid, f.memory(1).lastTransaction());
      assertFalse(tid.equals(f.memory(0).lastTransaction()), "a is no longer written");
      raid.admin().add("a", () -> new SurvivingStorage(MemoryStorage.create("a")));
      assertEquals(2, raid.backends().size(), "a name can be used again after removal");
    }
  }

  @Test
  void removingARecoveringBackendCancelsItsRecoveryFirst() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RecoveryHandle handle = recoveryUnderWay(f, raid);

      raid.admin().remove("b");

      assertEquals(RecoveryPhase.CANCELLED, handle.progress().phase());
      assertEquals(List.of("a=OPTIMAL"), states(raid));
    }
  }

  @Test
  void everyActionOnAClosedRaidIsRefused() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RaidAdmin admin = raid.admin();
      raid.close();
      assertEquals(RaidStatus.CLOSED, admin.status());
      assertEquals(2, admin.backends().size());
      assertThrows(RaidClosedException.class, () -> admin.disable("a"));
      assertThrows(RaidClosedException.class, () -> admin.recover("a"));
      assertThrows(RaidClosedException.class,
          () -> admin.add("c", () -> MemoryStorage.create("c")));
      assertThrows(RaidClosedException.class, () -> admin.remove("a"));
      assertThrows(RaidClosedException.class, () -> admin.scrub());
    }
  }

  @Test
  void backendDetailsCountCallsFailuresAndLatency() {
    try (Fixture f = Fixture.of(2)) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      for (int i = 0; i < 10; i++) {
        Fixture.commit(raid, Oid.of(100 + i), Tid.NONE, "v");
      }
      f.faulty(1).on(Operation.LOAD).failAlways();
      for (int i = 0; i < 4; i++) {
        raid.load(Oid.of(100));
      }

      BackendInfo a = raid.backends().get(0);
      assertTrue(a.calls() >= 20, "begin+vote and commit per transaction: " + a.calls());
      assertEquals(0, a.failures());
      assertTrue(a.maxLatency().compareTo(a.meanLatency()) >= 0);
      assertTrue(a.meanLatency().toNanos() > 0);
      assertTrue(a.p50Latency().toNanos() > 0, a.toString());
      assertTrue(a.p99Latency().compareTo(a.p50Latency()) >= 0, a.toString());
      assertTrue(a.p99Latency().compareTo(a.maxLatency().multipliedBy(2)) <= 0, a.toString());
      assertEquals(Tid.NONE.equals(a.lastTransaction()), false);
      BackendInfo b = raid.backends().get(1);
      assertEquals(1, b.failures(), b.toString());
      assertEquals(BackendState.DEGRADED, b.state());
    }
  }
}
