package org.loomraid.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage;

/**
 * The Micrometer binding, on a {@link SimpleMeterRegistry}: a RAID's backends become meters tagged
 * {@code raid} and {@code backend} whose values are the RAID's own counts, and leave the registry
 * with their backend.
 */
class MicrometerRaidMetricsTest {

  private static Tid commit(RaidStorage raid, long oid, String text) {
    try (StorageTransaction tx = raid.begin(TransactionMeta.of("test", text))) {
      tx.store(Oid.of(oid), Tid.NONE, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      tx.vote();
      return tx.commit();
    }
  }

  @Test
  void backendsAreMetersWithTheRaidsOwnCountsAndLeaveWithTheirBackend() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    FaultyStorage faultyB = FaultyStorage.wrap(b);
    try (RaidStorage raid = RaidStorage.builder("main")
        .backend("a", () -> a)
        .backend("b", () -> faultyB)
        .metrics(new MicrometerRaidMetrics(registry, Tags.of("app", "shop")))
        .open()) {
      commit(raid, 1, "one");
      commit(raid, 2, "two");
      faultyB.on(FaultyStorage.Operation.VOTE).failAlways();
      commit(raid, 3, "three");
      commit(raid, 4, "four");

      List<BackendInfo> infos = raid.backends();
      for (BackendInfo info : infos) {
        Timer calls = registry.get(MicrometerRaidMetrics.CALLS)
            .tags("raid", "main", "backend", info.name(), "app", "shop").timer();
        assertEquals(info.calls(), calls.count(), info.name());
        assertTrue(calls.totalTime(TimeUnit.NANOSECONDS) > 0, info.name());
        Counter failures = registry.get(MicrometerRaidMetrics.FAILURES)
            .tags("raid", "main", "backend", info.name()).counter();
        assertEquals(info.failures(), (long) failures.count(), info.name());
      }
      Gauge lagOfB = registry.get(MicrometerRaidMetrics.LAG)
          .tags("raid", "main", "backend", "b").gauge();
      assertEquals(RaidStatus.DEGRADED, raid.status());
      assertEquals(2.0, lagOfB.value(), "b missed two commits");
      assertEquals(0.0, registry.get(MicrometerRaidMetrics.LAG)
          .tags("raid", "main", "backend", "a").gauge().value());
      assertEquals(1.0, registry.get(MicrometerRaidMetrics.FAILURES)
          .tags("backend", "b").counter().count());

      raid.admin().remove("b");
      assertNull(registry.find(MicrometerRaidMetrics.CALLS).tags("backend", "b").timer(),
          "a removed backend's meters leave the registry");
      assertEquals(1, registry.find(MicrometerRaidMetrics.CALLS).timers().size());
    } finally {
      a.close();
      b.close();
    }
    assertTrue(registry.getMeters().isEmpty(), "closing the RAID removes its meters");
  }
}
