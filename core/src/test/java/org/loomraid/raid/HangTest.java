package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * A backend that hangs, honouring interrupts or not, costs the caller one deadline: the call
 * returns within the deadline plus a margin, the backend is degraded, and a deaf thread is
 * abandoned (tracked until released), never joined.
 */
class HangTest {

  /** Generous: the machine is shared; the real figure is printed. */
  private static final Duration MARGIN = Duration.ofSeconds(3);

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Operation op : List.of(Operation.VOTE, Operation.COMMIT, Operation.LOAD,
        Operation.LAST_TRANSACTION)) {
      cases.add(Arguments.of(op, false));
      cases.add(Arguments.of(op, true));
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}, ignoring interrupts: {1}")
  @MethodSource("cases")
  void hungBackendCostsOneDeadlineAndIsDegraded(Operation op, boolean deaf) {
    try (Fixture f = Fixture.of(3)) {
      f.builder.callTimeout(Fixture.SHORT).readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      Tid first = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      FaultyStorage hung = f.faulty(0);
      if (deaf) {
        hung.on(op).hangIgnoringInterrupts();
      } else {
        hung.on(op).hang();
      }

      long start = System.nanoTime();
      Tid committed = switch (op) {
        case VOTE, COMMIT -> Fixture.commit(raid, Oid.of(2), Tid.NONE, "v2");
        case LOAD -> {
          assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
          yield null;
        }
        default -> {
          assertEquals(first, raid.lastTransaction());
          yield null;
        }
      };
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("hang in %s (%s, %s): caller returned after %d ms (deadline %d ms)%n",
          op, deaf ? "ignoring interrupts" : "honouring interrupts", raid.fanOutKind(),
          took.toMillis(), Fixture.SHORT.toMillis());
      assertTrue(took.compareTo(Fixture.SHORT.plus(MARGIN)) < 0, "took " + took);

      BackendInfo info = f.info(0);
      assertEquals(BackendState.DEGRADED, info.state());
      assertTrue(info.reason().startsWith("no response within 300ms in "), info.reason());
      assertEquals(BackendState.OPTIMAL, f.info(1).state());
      assertEquals(BackendState.OPTIMAL, f.info(2).state());
      if (committed != null) {
        assertEquals(committed, f.memory(1).lastTransaction());
        assertEquals(committed, f.memory(2).lastTransaction());
      }
      if (deaf) {
        assertTrue(raid.abandonedThreads() >= 1, "the deaf thread is tracked");
        assertEquals(1, hung.hanging());
        hung.clearAll();
        hung.releaseHangs();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> raid.abandonedThreads() == 0);
    }
  }

  @Test
  void sequentialModeDegradesOnlyTheHungBackendWhenTheOthersWereReachedFirst() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.callTimeout(Fixture.SHORT).writeMode(WriteMode.SEQUENTIAL);
      RaidStorage raid = f.open();
      f.faulty(2).on(Operation.VOTE).hangIgnoringInterrupts();

      long start = System.nanoTime();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("sequential hang in the last backend: caller returned after %d ms%n",
          took.toMillis());

      assertTrue(took.compareTo(Fixture.SHORT.plus(MARGIN)) < 0, "took " + took);
      assertEquals(BackendState.DEGRADED, f.info(2).state());
      assertEquals(tid, f.memory(0).lastTransaction());
      assertEquals(tid, f.memory(1).lastTransaction());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void sequentialModeDegradesOnlyAHungFirstBackendAndGoesOnToTheOthers(int backends) {
    try (Fixture f = Fixture.of(backends)) {
      f.builder.callTimeout(Fixture.SHORT).writeMode(WriteMode.SEQUENTIAL);
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.VOTE).hang();

      long start = System.nanoTime();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertTrue(took.compareTo(Fixture.SHORT.plus(MARGIN)) < 0,
          "the hung backend costs one deadline: took " + took);
      assertEquals("no response within 300ms in vote", f.info(0).reason());
      for (int i = 1; i < backends; i++) {
        assertEquals(BackendState.OPTIMAL, f.info(i).state(), "never reached is not failed");
        assertEquals(tid, f.memory(i).lastTransaction(), "the write went on to the others");
      }
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }
}
