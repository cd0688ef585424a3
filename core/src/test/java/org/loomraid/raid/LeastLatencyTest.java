package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * {@link ReadPolicy#LEAST_LATENCY}: reads keep away from a slow backend, save for its probes, and
 * come back to it once it is fast again.
 */
class LeastLatencyTest {

  private final List<MemoryStorage> memory = new ArrayList<>();
  private final List<ReadProbe> probes = new ArrayList<>();
  private RaidStorage raid;

  private RaidStorage open(Duration... latencies) {
    RaidStorage.Builder builder = RaidStorage.builder("ll").readPolicy(ReadPolicy.LEAST_LATENCY);
    for (int i = 0; i < latencies.length; i++) {
      MemoryStorage storage = MemoryStorage.create("b" + i);
      ReadProbe probe = new ReadProbe(storage).delay(latencies[i]);
      memory.add(storage);
      probes.add(probe);
      builder.backend("b" + i, () -> probe);
    }
    raid = builder.open();
    Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
    return raid;
  }

  @AfterEach
  void close() {
    if (raid != null) {
      raid.close();
    }
    memory.forEach(MemoryStorage::close);
  }

  private int[] loads() {
    int[] loads = new int[probes.size()];
    for (int i = 0; i < loads.length; i++) {
      loads[i] = probes.get(i).loads();
    }
    return loads;
  }

  @Test
  void readsKeepAwayFromASlowBackendSaveForItsProbes() {
    Duration fast = Duration.ofMillis(1);
    open(fast, fast, Duration.ofMillis(50));
    int reads = 200;
    long start = System.nanoTime();
    for (int i = 0; i < reads; i++) {
      assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int[] loads = loads();
    System.out.printf("LEAST_LATENCY: %d reads in %d ms, loads per backend %d/%d/%d%n", reads,
        took.toMillis(), loads[0], loads[1], loads[2]);
    long probesAllowed = 2 + took.toNanos() / ReadLatency.PROBE_INTERVAL_NANOS;
    assertTrue(loads[2] <= probesAllowed,
        "the slow backend served " + loads[2] + " reads, more than its probes");
    assertEquals(reads, loads[0] + loads[1] + loads[2]);
    assertTrue(loads[0] > 0 && loads[1] > 0, "both fast backends serve reads");
  }

  @Test
  void aBackendThatBecameFastIsNoticed() {
    open(Duration.ofMillis(1), Duration.ofMillis(20));
    for (int i = 0; i < 50; i++) {
      raid.load(Oid.of(1));
    }
    probes.get(0).delay(Duration.ofMillis(20));
    probes.get(1).delay(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      int before = probes.get(1).loads();
      for (int i = 0; i < 20; i++) {
        raid.load(Oid.of(1));
      }
      return probes.get(1).loads() - before >= 18;
    });
    assertEquals(RaidStatus.OPTIMAL, raid.status());
  }
}
