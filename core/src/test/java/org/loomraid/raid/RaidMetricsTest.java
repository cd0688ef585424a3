package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * The metrics hook: every backend call reaches the user's meter (the same calls and failures the
 * RAID counts itself), lag is read on demand, backends are announced as they join and leave, and a
 * hook that throws never fails the RAID.
 */
class RaidMetricsTest {

  /** Records what the RAID reports, per backend. */
  static final class Recording implements RaidMetrics {
    final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    final Map<String, LongSupplier> lag = new ConcurrentHashMap<>();
    final List<String> joined = new CopyOnWriteArrayList<>();
    final List<String> left = new CopyOnWriteArrayList<>();

    @Override
    public BackendMeter backend(String raid, String backend, LongSupplier lagOf) {
      joined.add(raid + "/" + backend);
      lag.put(backend, lagOf);
      LongAdder count = calls.computeIfAbsent(backend, b -> new LongAdder());
      LongAdder failed = failures.computeIfAbsent(backend, b -> new LongAdder());
      LongAdder time = nanos.computeIfAbsent(backend, b -> new LongAdder());
      return (took, fail) -> {
        count.increment();
        time.add(took);
        if (fail) {
          failed.increment();
        }
      };
    }

    @Override
    public void removed(String raid, String backend) {
      left.add(raid + "/" + backend);
    }

    long calls(String backend) {
      return calls.get(backend).sum();
    }
  }

  @Test
  void everyCallFailureAndLagReachesTheHook() {
    Recording metrics = new Recording();
    try (Fixture f = Fixture.of(3)) {
      f.builder.metrics(metrics).readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      assertEquals(List.of("r/a", "r/b", "r/c"), metrics.joined);
      for (int i = 0; i < 5; i++) {
        Fixture.commit(raid, Oid.of(i + 1), Tid.NONE, "v" + i);
        raid.load(Oid.of(1));
      }
      f.faulty(2).on(Operation.VOTE).failAlways();
      Fixture.commit(raid, Oid.of(10), Tid.NONE, "after");
      Fixture.commit(raid, Oid.of(11), Tid.NONE, "more");

      for (int i = 0; i < 3; i++) {
        BackendInfo info = f.info(i);
        String name = info.name();
        assertEquals(info.calls(), metrics.calls(name), name);
        assertEquals(info.failures(), metrics.failures.get(name).sum(), name);
        assertTrue(metrics.nanos.get(name).sum() > 0, name);
      }
      assertEquals(1, metrics.failures.get("c").sum());
      assertEquals(0, metrics.failures.get("a").sum());
      assertEquals(0, metrics.lag.get("a").getAsLong());
      assertEquals(2, metrics.lag.get("c").getAsLong(), "it missed the two commits from its failure on");
      assertEquals(f.info(2).lag(), metrics.lag.get("c").getAsLong());
    }
    assertEquals(List.of("r/a", "r/b", "r/c"), metrics.left, "every backend leaves on close");
  }

  @Test
  void backendsAreAnnouncedAsTheyJoinAndLeave() {
    Recording metrics = new Recording();
    MemoryStorage d = MemoryStorage.create("d");
    try (Fixture f = Fixture.of(2)) {
      f.builder.metrics(metrics);
      RaidStorage raid = f.open();
      raid.admin().add("d", () -> d);
      assertEquals(List.of("r/a", "r/b", "r/d"), metrics.joined);
      raid.admin().recover("d");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> raid.status() == RaidStatus.OPTIMAL);
      assertTrue(metrics.calls("d") > 0, "recovery's calls are measured too");
      raid.admin().remove("d");
      assertEquals(List.of("r/d"), metrics.left);
      long before = metrics.calls("d");
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v");
      assertEquals(before, metrics.calls("d"), "a removed backend is no longer measured");
    } finally {
      d.close();
    }
  }

  @Test
  void aHookThatThrowsNeverFailsTheRaid() {
    RaidMetrics broken = (raid, backend, lag) -> {
      if (backend.equals("a")) {
        throw new IllegalStateException("registry down");
      }
      return (nanos, failed) -> {
        throw new IllegalStateException("meter broken");
      };
    };
    try (Fixture f = Fixture.of(2)) {
      f.builder.metrics(broken);
      RaidStorage raid = f.open();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v");
      assertEquals("v", Fixture.text(raid.load(Oid.of(1)).data()));
      assertEquals(tid, raid.lastTransaction());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      assertTrue(f.info(1).calls() > 0, "the RAID still counts the calls itself");
    }
  }
}
