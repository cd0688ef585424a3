package org.loomraid.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class TidGeneratorTest {

  private static final Instant T0 = Instant.parse("2027-06-01T12:00:00Z");

  /** A clock that returns the given instants in turn, then stays on the last one. */
  private static InstantSource scripted(Instant... instants) {
    Deque<Instant> remaining = new ArrayDeque<>(List.of(instants));
    return () -> remaining.size() > 1 ? remaining.poll() : remaining.peek();
  }

  @Test
  void usesTheClockWhenItIsAheadOfTheLastTid() {
    TidGenerator generator = TidGenerator.withClock(InstantSource.fixed(T0));
    assertEquals(Tid.of(T0), generator.next(Tid.NONE));
    assertEquals(Tid.of(T0), generator.next(Tid.of(Tid.of(T0).value() - 1)));
  }

  @Test
  void clockStandingStillStillGivesStrictlyIncreasingTids() {
    TidGenerator generator = TidGenerator.withClock(InstantSource.fixed(T0));
    Tid last = Tid.NONE;
    for (int i = 0; i < 1_000; i++) {
      Tid next = generator.next(last);
      assertTrue(next.isAfter(last), next + " not after " + last);
      last = next;
    }
    assertEquals(Tid.of(Tid.of(T0).value() + 999), last);
  }

  @Test
  void clockGoingBackwardsStillGivesStrictlyIncreasingTids() {
    TidGenerator generator = TidGenerator.withClock(scripted(
        T0, T0.minusSeconds(10), T0.minus(Duration.ofDays(400)), T0.plusNanos(1_500),
        T0.plus(Duration.ofNanos(10_000))));
    Tid first = generator.next(Tid.NONE);
    Tid second = generator.next(first);
    Tid third = generator.next(second);
    Tid fourth = generator.next(third);
    assertEquals(Tid.of(T0), first);
    assertEquals(first.next(), second);
    assertEquals(second.next(), third);
    assertEquals(third.next(), fourth, "clock ahead of T0 but not of the last tid");
    Tid fifth = generator.next(fourth);
    assertEquals(Tid.of(Tid.of(T0).value() + 10), fifth, "the clock wins once it passes the last tid");
  }

  @Test
  void clockBeforeTheEpochStillGivesTids() {
    TidGenerator generator = TidGenerator.withClock(InstantSource.fixed(Instant.EPOCH.minusSeconds(5)));
    assertEquals(Tid.of(1), generator.next(Tid.NONE));
    assertEquals(Tid.of(2), generator.next(Tid.of(1)));
  }

  @Test
  void callerChosenLastTidInTheFutureIsFollowedByOneMore() {
    TidGenerator generator = TidGenerator.withClock(InstantSource.fixed(T0));
    Tid future = Tid.of(T0.plusSeconds(3_600));
    assertEquals(future.next(), generator.next(future));
  }

  @Test
  void systemGeneratorFollowsTheSystemClock() {
    Instant before = Instant.now().minusSeconds(1);
    Tid tid = TidGenerator.system().next(Tid.NONE);
    Instant after = Instant.now().plusSeconds(1);
    assertTrue(tid.instant().isAfter(before) && tid.instant().isBefore(after), tid.toString());
  }

  @Test
  void refusesNulls() {
    assertEquals("clock",
        assertThrows(NullPointerException.class, () -> TidGenerator.withClock(null)).getMessage());
    assertEquals("last", assertThrows(NullPointerException.class,
        () -> TidGenerator.system().next(null)).getMessage());
  }
}
