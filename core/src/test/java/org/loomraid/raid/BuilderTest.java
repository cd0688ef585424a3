package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.loomraid.storage.MemoryStorage;

/** The builder refuses bad settings at once, naming the setting, and keeps what it had. */
class BuilderTest {

  private static void refused(Class<? extends Throwable> type, String words, Executable call) {
    Throwable e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }

  @Test
  void badSettingsAreRefusedNamingTheSetting() {
    RaidStorage.Builder b = RaidStorage.builder("r");
    refused(NullPointerException.class, "name", () -> RaidStorage.builder(null));
    refused(IllegalArgumentException.class, "name must not be blank",
        () -> RaidStorage.builder(" "));
    refused(IllegalArgumentException.class, "backend name",
        () -> b.backend("", () -> MemoryStorage.create("x")));
    refused(NullPointerException.class, "opener", () -> b.backend("a", null));
    refused(IllegalArgumentException.class, "callTimeout", () -> b.callTimeout(Duration.ZERO));
    refused(IllegalArgumentException.class, "commitLockTimeout",
        () -> b.commitLockTimeout(Duration.ofSeconds(-1)));
    refused(IllegalArgumentException.class, "openTimeout", () -> b.openTimeout(Duration.ZERO));
    refused(IllegalArgumentException.class, "packTimeout", () -> b.packTimeout(Duration.ZERO));
    refused(NullPointerException.class, "callTimeout", () -> b.callTimeout(null));
    refused(NullPointerException.class, "writeMode", () -> b.writeMode(null));
    refused(NullPointerException.class, "readPolicy", () -> b.readPolicy(null));
    refused(NullPointerException.class, "redundancy", () -> b.redundancy(null));
    refused(NullPointerException.class, "failMode", () -> b.failMode(null));
    refused(NullPointerException.class, "listener", () -> b.listener(null));
    refused(IllegalArgumentException.class, "recoveryRateLimit", () -> b.recoveryRateLimit(-1));
    refused(IllegalArgumentException.class, "scrubRateLimit", () -> b.scrubRateLimit(-1));
    refused(IllegalArgumentException.class, "at least 65536 bytes per second, was 1000",
        () -> b.scrubRateLimit(1000));
  }

  @Test
  void duplicateBackendNameIsRefusedAndTheFirstIsKept() {
    MemoryStorage first = MemoryStorage.create("a");
    RaidStorage.Builder b = RaidStorage.builder("r").backend("a", () -> first);
    refused(IllegalArgumentException.class, "duplicate backend name 'a'",
        () -> b.backend("a", () -> MemoryStorage.create("other")));
    try (RaidStorage raid = b.open()) {
      assertEquals(1, raid.backends().size());
      assertEquals("a", raid.backends().get(0).name());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void zeroBackendsAreRefusedAtOpen() {
    refused(IllegalStateException.class, "no backends", () -> RaidStorage.builder("r").open());
  }
}
