package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * Hedged reads keep the outcome model: the first answer wins, from either backend; a first backend
 * that fails is still degraded after the hedge answered; the caller is never held past the first
 * call's deadline and never waits for the call that lost; the budget bounds the hedges.
 */
class HedgedReadTest {

  private static final Duration MARGIN = Duration.ofSeconds(3);

  private final List<MemoryStorage> memory = new ArrayList<>();
  private final List<ReadProbe> probes = new ArrayList<>();
  private RaidStorage raid;

  private RaidStorage open(int backends, Duration timeout, HedgedReads hedging) {
    RaidStorage.Builder builder = RaidStorage.builder("h").readPolicy(ReadPolicy.ROUND_ROBIN)
        .callTimeout(timeout).hedgedReads(hedging);
    for (int i = 0; i < backends; i++) {
      String name = String.valueOf((char) ('a' + i));
      MemoryStorage storage = MemoryStorage.create(name);
      ReadProbe probe = new ReadProbe(storage);
      memory.add(storage);
      probes.add(probe);
      builder.backend(name, () -> probe);
    }
    raid = builder.open();
    Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
    return raid;
  }

  @AfterEach
  void close() {
    probes.forEach(ReadProbe::open);
    if (raid != null) {
      await().atMost(Duration.ofSeconds(10)).until(() -> raid.abandonedThreads() == 0);
      raid.close();
    }
    memory.forEach(MemoryStorage::close);
  }

  private BackendInfo info(int i) {
    return raid.backends().get(i);
  }

  @Test
  void theHedgeAnswersWhileTheFirstBackendIsStuckAndTheFirstIsNotWaitedFor() {
    open(2, Duration.ofSeconds(30), HedgedReads.after(Duration.ofMillis(10)).budget(1));
    ReadProbe first = probes.get(0).close(null);
    long callsBefore = info(0).calls();

    assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));

    assertTrue(first.holding(), "the caller did not wait for the first backend");
    assertEquals(1, first.loads());
    assertEquals(1, probes.get(1).loads(), "the hedge went to the second backend");
    first.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> info(0).calls() == callsBefore + 1);
    assertEquals(BackendState.OPTIMAL, info(0).state(), "a slow answer is no failure");
    assertEquals(RaidStatus.OPTIMAL, raid.status());
  }

  @Test
  void aFailureOfTheFirstStillDegradesItAfterTheHedgeAnswered() {
    open(2, Duration.ofSeconds(30), HedgedReads.after(Duration.ofMillis(10)).budget(1));
    ReadProbe first = probes.get(0).close(new IllegalStateException("disk gone"));

    assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
    assertEquals(BackendState.OPTIMAL, info(0).state());

    first.open();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> info(0).state() == BackendState.DEGRADED);
    assertEquals("error in load: IllegalStateException: disk gone", info(0).reason());
    assertEquals(BackendState.OPTIMAL, info(1).state());
  }

  @Test
  void anAnswerFromEitherIsTheAnswer() {
    open(2, Duration.ofSeconds(30), HedgedReads.after(Duration.ofMillis(10)).budget(1));
    ReadProbe first = probes.get(0).close(null);

    assertThrows(ObjectNotFoundException.class, () -> raid.load(Oid.of(99)));

    assertTrue(first.holding());
    first.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> first.loads() == 1 && !first.holding());
    assertEquals(RaidStatus.OPTIMAL, raid.status(), "not found is an answer: nobody degraded");
  }

  @Test
  void aHedgedReadNeverHoldsTheCallerPastTheFirstCallsDeadline() {
    open(3, Fixture.SHORT, HedgedReads.after(Duration.ofMillis(20)).budget(1));
    probes.get(0).close(null);
    probes.get(1).close(null);

    long start = System.nanoTime();
    assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("hedged read with two hung backends returned after %d ms (deadline %d ms)%n",
        took.toMillis(), Fixture.SHORT.toMillis());

    assertTrue(took.compareTo(Fixture.SHORT.plus(MARGIN)) < 0, "took " + took);
    assertEquals(1, probes.get(2).loads(), "after the deadline the read went on to c");
    assertEquals(BackendState.DEGRADED, info(0).state());
    assertEquals("no response within 300ms in load", info(0).reason());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> info(1).state() == BackendState.DEGRADED);
    assertEquals("no response within 300ms in load", info(1).reason(),
        "the hedge that never answered is judged at its own deadline");
    assertEquals(BackendState.OPTIMAL, info(2).state());
  }

  @Test
  void theBudgetBoundsTheHedges() {
    open(2, Duration.ofSeconds(30), HedgedReads.after(Duration.ofMillis(1)).budget(0.1));
    probes.forEach(probe -> probe.delay(Duration.ofMillis(5)));
    int reads = 100;
    for (int i = 0; i < reads; i++) {
      raid.load(Oid.of(1));
    }
    int loads = probes.get(0).loads() + probes.get(1).loads();
    await().atMost(Duration.ofSeconds(10)).until(() -> raid.abandonedThreads() == 0);
    System.out.printf("budget 10 %%: %d reads made %d loads%n", reads, loads);
    assertTrue(loads > reads, "some reads were hedged");
    assertTrue(loads <= reads + reads / 10, loads + " loads for " + reads + " reads");
  }

  @Test
  void aPercentileDelayHedgesNothingUntilItHasMeasuredEnoughReads() {
    open(2, Duration.ofSeconds(30), HedgedReads.atPercentile(50).budget(1));
    probes.forEach(probe -> probe.delay(Duration.ofMillis(2)));
    for (int i = 0; i < ReadHedger.MIN_SAMPLES; i++) {
      raid.load(Oid.of(1));
    }
    assertEquals(ReadHedger.MIN_SAMPLES, probes.get(0).loads() + probes.get(1).loads());

    probes.get(0).delay(Duration.ofMillis(200));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      int before = probes.get(0).loads() + probes.get(1).loads();
      raid.load(Oid.of(1));
      raid.load(Oid.of(1));
      return probes.get(0).loads() + probes.get(1).loads() - before > 2;
    });
    assertEquals(RaidStatus.OPTIMAL, raid.status());
  }
}
