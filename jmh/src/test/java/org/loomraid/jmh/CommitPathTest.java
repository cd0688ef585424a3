package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.raid.FanOutKind;
import org.loomraid.raid.RaidException;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.testing.LatencyStorage;

/** The facade every benchmark builds its subject through, in a JVM without preview features. */
class CommitPathTest {

  @AfterEach
  void fanOutPropertyIsLeftAsItWas() {
    assertNull(System.getProperty(RaidStorage.FAN_OUT_PROPERTY));
  }

  @Test
  void sequentialOpensASequentialRaidOfTheGivenSize() {
    try (Storage subject = CommitPath.SEQUENTIAL.open(3, Duration.ZERO)) {
      RaidStorage raid = assertInstanceOf(RaidStorage.class, subject);
      assertEquals(FanOutKind.SEQUENTIAL, raid.fanOutKind());
      assertEquals(3, raid.backends().size());
    }
  }

  @Test
  void plainThreadsAreForcedEvenWhereTheRaidCouldChooseOtherwise() {
    try (Storage subject = CommitPath.PARALLEL_THREADS.open(2, Duration.ZERO)) {
      assertEquals(FanOutKind.VIRTUAL_THREADS, ((RaidStorage) subject).fanOutKind());
    }
  }

  @Test
  void structuredPathRefusesToOpenWhereTheJvmCannotRunIt() {
    // Tests run without --enable-preview, so the StructuredTaskScope fan-out cannot load here.
    RaidException e = assertThrows(RaidException.class,
        () -> CommitPath.PARALLEL_STRUCTURED.open(2, Duration.ZERO));
    assertTrue(e.getMessage().contains("--enable-preview"), e.getMessage());
    assertTrue(RaidSubject.structuredUnavailableReason().isPresent());
  }

  @Test
  void floorIsOneBareStorageOrOneBehindItsLatency() {
    try (Storage bare = CommitPath.FLOOR.open(1, Duration.ZERO);
        Storage slow = CommitPath.FLOOR.open(1, Duration.ofMillis(1))) {
      assertInstanceOf(MemoryStorage.class, bare);
      assertInstanceOf(LatencyStorage.class, slow);
    }
  }

  @Test
  void floorWithMoreThanOneBackendIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CommitPath.FLOOR.open(2, Duration.ZERO));
    assertEquals("the floor has exactly one backend, not 2", e.getMessage());
  }

  @Test
  void aRaidThatLostABackendFailsTheIntactCheckNamingTheBackend() {
    try (RaidStorage raid = (RaidStorage) CommitPath.PARALLEL_THREADS.open(2, Duration.ZERO)) {
      RaidSubject.requireIntact(raid);
      raid.admin().disable("b1");

      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RaidSubject.requireIntact(raid));
      assertTrue(e.getMessage().contains("DEGRADED"), e.getMessage());
      assertTrue(e.getMessage().contains("b1"), e.getMessage());
    }
  }

  @Test
  void theFloorIsNotARaid() {
    assertThrows(IllegalArgumentException.class, () -> RaidSubject.open(CommitPath.FLOOR,
        RaidSubject.memoryBackends(List.of(Duration.ZERO)), org.loomraid.raid.ReadPolicy.RANDOM));
  }
}
