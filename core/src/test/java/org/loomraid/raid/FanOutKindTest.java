package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * Which fan-out path runs. The build runs the RAID tests twice: without preview (plain virtual
 * threads) and with {@code --enable-preview} (StructuredTaskScope); each run says which path it
 * expects in the system property {@code loomraid.test.expectedFanOut}.
 */
class FanOutKindTest {

  private static final String EXPECTED = System.getProperty("loomraid.test.expectedFanOut");

  @AfterEach
  void clearProperty() {
    System.clearProperty(RaidStorage.FAN_OUT_PROPERTY);
  }

  private static RaidStorage open(WriteMode mode) {
    return RaidStorage.builder("k").writeMode(mode)
        .backend("a", () -> MemoryStorage.create("a"))
        .backend("b", () -> MemoryStorage.create("b"))
        .open();
  }

  @Test
  void parallelRaidUsesThePathThisJvmAllows() {
    assumeTrue(EXPECTED != null, "run by the build, which says what to expect");
    try (RaidStorage raid = open(WriteMode.PARALLEL)) {
      System.out.println("parallel fan-out in this run: " + raid.fanOutKind());
      assertEquals(FanOutKind.valueOf(EXPECTED), raid.fanOutKind());
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "works");
    }
  }

  @Test
  void sequentialWriteModeUsesTheSequentialFanOut() {
    try (RaidStorage raid = open(WriteMode.SEQUENTIAL)) {
      assertEquals(FanOutKind.SEQUENTIAL, raid.fanOutKind());
    }
  }

  @Test
  void threadsPropertyForcesPlainVirtualThreads() {
    System.setProperty(RaidStorage.FAN_OUT_PROPERTY, "threads");
    try (RaidStorage raid = open(WriteMode.PARALLEL)) {
      assertEquals(FanOutKind.VIRTUAL_THREADS, raid.fanOutKind());
    }
  }

  @Test
  void structuredPropertyOpensOnlyWhereStructuredTaskScopeIsAvailable() {
    System.setProperty(RaidStorage.FAN_OUT_PROPERTY, "structured");
    if (FanOut.loadStructured(new RaidThreads("probe")) != null) {
      try (RaidStorage raid = open(WriteMode.PARALLEL)) {
        assertEquals(FanOutKind.STRUCTURED_TASK_SCOPE, raid.fanOutKind());
      }
    } else {
      RaidException e = assertThrows(RaidException.class, () -> open(WriteMode.PARALLEL));
      assertTrue(e.getMessage().contains("--enable-preview"), e.getMessage());
    }
  }

  @Test
  void unknownPropertyValueIsRefusedNamingTheProperty() {
    System.setProperty(RaidStorage.FAN_OUT_PROPERTY, "fibers");
    RaidException e = assertThrows(RaidException.class, () -> open(WriteMode.PARALLEL));
    assertTrue(e.getMessage().contains("loomraid.fanout"), e.getMessage());
    assertTrue(e.getMessage().contains("fibers"), e.getMessage());
  }

  @Test
  void backendCallsRunOnThreadsNamedAfterTheRaidAndTheBackend() {
    List<String> names = new CopyOnWriteArrayList<>();
    MemoryStorage a = MemoryStorage.create("a");
    try (RaidStorage raid = RaidStorage.builder("main")
        .backend("alpha", () -> new NameRecordingStorage(a, names))
        .backend("beta", () -> new NameRecordingStorage(MemoryStorage.create("b"), names))
        .open()) {
      names.clear();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      raid.load(Oid.of(1));
      assertTrue(names.contains("loomraid-main-alpha"), names.toString());
      assertTrue(names.contains("loomraid-main-beta"), names.toString());
      for (String name : names) {
        assertTrue(name.equals("loomraid-main-alpha") || name.equals("loomraid-main-beta"), name);
      }
    }
  }
}
