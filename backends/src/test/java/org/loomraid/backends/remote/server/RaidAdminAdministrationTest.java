package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.BackendState;
import org.loomraid.storage.Tid;

/** A served RAID's backend details, as {@code ctl details} prints them. */
class RaidAdminAdministrationTest {

  @Test
  void detailsCarryCallsFailuresAndEveryLatencyInMilliseconds() {
    BackendInfo info = new BackendInfo("a", BackendState.OPTIMAL, "", Tid.NONE, 0,
        Optional.empty(), 42, 1, Duration.ofNanos(105_639), Duration.ofMillis(12),
        Duration.ofNanos(98_500), Duration.ofNanos(2_250_000));

    BackendView view = RaidAdminAdministration.view(info);

    assertEquals(List.of("lastTid", "lag", "calls", "failures", "meanLatency", "maxLatency",
        "p50Latency", "p99Latency"), List.copyOf(view.details().keySet()));
    Map<String, String> details = view.details();
    assertEquals("42", details.get("calls"));
    assertEquals("1", details.get("failures"));
    assertEquals("0.106ms", details.get("meanLatency"));
    assertEquals("12.000ms", details.get("maxLatency"));
    assertEquals("0.099ms", details.get("p50Latency"));
    assertEquals("2.250ms", details.get("p99Latency"));
  }
}
