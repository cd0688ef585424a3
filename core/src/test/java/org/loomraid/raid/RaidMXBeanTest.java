package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Tid;
import org.loomraid.testing.LatencyStorage;

/** The RAID's MXBean through the platform MBean server: attributes, operations, lifecycle. */
class RaidMXBeanTest {

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  @Test
  void attributesAndOperationsWorkThroughThePlatformServerWhileTheRaidIsOpen()
      throws Exception {
    MemoryStorage b = MemoryStorage.create("b");
    ObjectName name = new ObjectName("org.loomraid:type=Raid,name=jmx-test");
    try (RaidStorage raid = RaidStorage.builder("jmx-test")
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> new SurvivingStorage(b))
        .open()) {
      assertTrue(server.isRegistered(name));
      assertEquals("jmx-test", server.getAttribute(name, "Name"));
      assertEquals("OPTIMAL", server.getAttribute(name, "Status"));
      assertEquals(raid.fanOutKind().name(), server.getAttribute(name, "FanOutKind"));
      CompositeData[] backends = (CompositeData[]) server.getAttribute(name, "Backends");
      assertEquals(2, backends.length);
      assertEquals("a", backends[0].get("name"));
      assertEquals("OPTIMAL", backends[0].get("state"));

      server.invoke(name, "disable", new Object[] {"b"}, new String[] {String.class.getName()});

      assertEquals("DEGRADED", server.getAttribute(name, "Status"));
      CompositeData degraded = ((CompositeData[]) server.getAttribute(name, "Backends"))[1];
      assertEquals("DEGRADED", degraded.get("state"));
      assertEquals("disabled by operator", degraded.get("reason"));

      Object started = server.invoke(name, "recover", new Object[] {"b"},
          new String[] {String.class.getName()});

      assertEquals("recovery of backend 'b' started", started);
      await().until(() -> "OPTIMAL".equals(server.getAttribute(name, "Status")));
      CompositeData recovered = ((CompositeData[]) server.getAttribute(name, "Backends"))[1];
      assertEquals("DONE", recovered.get("recoveryPhase"));
    }
    assertFalse(server.isRegistered(name), "unregistered on close");
  }

  @Test
  void backendsShowTheirRecentP50AndP99Latency() throws Exception {
    ObjectName name = new ObjectName("org.loomraid:type=Raid,name=jmx-latency");
    Duration latency = Duration.ofMillis(2);
    try (RaidStorage raid = RaidStorage.builder("jmx-latency")
        .backend("a", () -> LatencyStorage.fixed(MemoryStorage.create("a"), latency))
        .open()) {
      for (int i = 0; i < 20; i++) {
        raid.lastTransaction();
      }
      CompositeData a = ((CompositeData[]) server.getAttribute(name, "Backends"))[0];
      long p50 = (Long) a.get("p50LatencyMicros");
      long p99 = (Long) a.get("p99LatencyMicros");
      assertTrue(p50 >= latency.toNanos() / 1000, "p50 " + p50 + " us");
      assertTrue(p99 >= p50, "p99 " + p99 + " us, p50 " + p50 + " us");
      assertEquals(raid.backends().get(0).calls(), a.get("calls"));
    }
  }

  @Test
  void aScrubIsStartedFollowedAndCancelledThroughThePlatformServer() throws Exception {
    MemoryStorage b = MemoryStorage.create("b");
    ObjectName name = new ObjectName("org.loomraid:type=Raid,name=jmx-scrub");
    try (RaidStorage raid = RaidStorage.builder("jmx-scrub")
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> new SurvivingStorage(b))
        .open()) {
      CompositeData none = (CompositeData) server.getAttribute(name, "Scrub");
      assertEquals("", none.get("phase"));
      assertEquals("no scrub is running", server.invoke(name, "cancelScrub", null, null));
      Tid last = ScrubTest.commitBulk(raid, 30).get(29);

      Object started = server.invoke(name, "scrub", new Object[] {false},
          new String[] {boolean.class.getName()});

      assertEquals("scrub started", started);
      await().until(() -> "DONE".equals(
          ((CompositeData) server.getAttribute(name, "Scrub")).get("phase")));
      CompositeData done = (CompositeData) server.getAttribute(name, "Scrub");
      assertEquals("a,b", done.get("backends"));
      assertEquals(30L, done.get("transactionsCompared"));
      assertEquals(30L * 200, done.get("bytesCompared"));
      assertEquals(last.value(), done.get("position"));
      assertEquals(0L, done.get("differences"));
      assertEquals(0, ((String[]) done.get("findings")).length);
      assertEquals(false, done.get("repair"));
    }
  }

  @Test
  void objectNameIsQuotedOnlyWhenTheRaidNameNeedsIt() throws Exception {
    assertEquals("org.loomraid:type=Raid,name=main",
        RaidMBeanRegistration.objectName("main"));
    String odd = RaidMBeanRegistration.objectName("a,b=c");
    assertEquals("a,b=c", new ObjectName(odd).getKeyProperty("name").replace("\"", ""));
  }

  @Test
  void secondRaidWithTheSameNameWorksWithoutJmx() {
    try (RaidStorage first = RaidStorage.builder("twin")
        .backend("a", () -> MemoryStorage.create("a")).open();
        RaidStorage second = RaidStorage.builder("twin")
            .backend("a", () -> MemoryStorage.create("a")).open()) {
      assertEquals(RaidStatus.OPTIMAL, second.status());
      assertEquals(RaidStatus.OPTIMAL, first.status());
    }
  }
}
