package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.remote.server.FakeRaidServer;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.testing.LatencyStorage;

/** {@code loomraid ctl} against a server with a stand-in RAID administration. */
@Timeout(60)
class CtlCommandTest {

  private FakeRaidServer raid;

  @BeforeEach
  void start() {
    raid = FakeRaidServer.start();
  }

  @AfterEach
  void stop() {
    raid.close();
  }

  private CliRun ctl(String... command) {
    String[] args = new String[command.length + 3];
    args[0] = "ctl";
    args[1] = "--port";
    args[2] = String.valueOf(raid.port());
    System.arraycopy(command, 0, args, 3, command.length);
    return CliRun.of(args);
  }

  @Test
  void statusExitCodesFollowTheRaidStatus() {
    CliRun optimal = ctl("status");
    assertEquals(new CliRun(0, "OPTIMAL\n", ""), optimal);
    raid.set("b", "RECOVERING", "");
    assertEquals(1, ctl("status").exitCode());
    raid.set("b", "DEGRADED", "no answer within PT5S");
    CliRun degraded = ctl("status");
    assertEquals(2, degraded.exitCode());
    assertEquals("DEGRADED\n", degraded.out());
  }

  @Test
  void detailsListEveryBackendWithItsReason() {
    raid.set("c", "DEGRADED", "error in vote: connection reset");
    CliRun details = ctl("details");
    assertEquals(2, details.exitCode(), details.toString());
    assertTrue(details.out().startsWith("RAID DEGRADED\n"), details.out());
    assertTrue(details.out().contains("a        OPTIMAL     lastTid=tid NONE"), details.out());
    assertTrue(details.out().contains("c        DEGRADED    error in vote: connection reset,"
        + " lastTid=tid NONE"), details.out());
  }

  @Test
  void detailsOfAServedRaidShowEachBackendsP50AndP99Latency() {
    try (RaidStorage served = RaidStorage.builder("served")
        .backend("a", () -> LatencyStorage.fixed(MemoryStorage.create("a"), Duration.ofMillis(1)))
        .backend("b", () -> MemoryStorage.create("b"))
        .open();
        StorageServer server = StorageServer.builder(served).raidAdmin(served.admin()).start()) {
      for (int i = 0; i < 10; i++) {
        served.lastTransaction();
      }
      CliRun details = CliRun.of("ctl", "--port", String.valueOf(server.port()), "details");
      assertEquals(0, details.exitCode(), details.toString());
      Matcher a = Pattern.compile("\\n  a +OPTIMAL .*p50Latency=(\\d+\\.\\d{3})ms,"
          + " p99Latency=(\\d+\\.\\d{3})ms\\n").matcher(details.out());
      assertTrue(a.find(), details.out());
      double p50 = Double.parseDouble(a.group(1));
      assertTrue(p50 >= 1.0, "backend a answers after 1 ms: " + details.out());
      assertTrue(Double.parseDouble(a.group(2)) >= p50, details.out());
    }
  }

  @Test
  void disableThenRecoverWaitsUntilOptimal() {
    CliRun disabled = ctl("disable", "b");
    assertEquals(0, disabled.exitCode(), disabled.toString());
    assertEquals(2, ctl("status").exitCode());
    CliRun recovered = ctl("recover", "b");
    assertEquals(0, recovered.exitCode(), recovered.toString());
    assertTrue(recovered.out().contains("backend 'b' is OPTIMAL"), recovered.out());
    assertEquals(0, ctl("status").exitCode());
  }

  @Test
  void failedRecoveryIsCritical() {
    ctl("disable", "a");
    raid.failNextRecovery();
    CliRun failed = ctl("recover", "a");
    assertEquals(2, failed.exitCode(), failed.toString());
    assertTrue(failed.out().contains("recovery failed: source unreachable"), failed.out());
  }

  @Test
  void addAndRemoveChangeTheConfiguration() {
    CliRun added = ctl("add", "d", "remote:db4:7070");
    assertEquals(0, added.exitCode(), added.toString());
    assertTrue(ctl("details").out().contains("d        DEGRADED    added, spec=remote:db4:7070"));
    assertEquals(0, ctl("remove", "d").exitCode());
    assertTrue(!ctl("details").out().contains("remote:db4"));
  }

  @Test
  void connectionOptionsMayFollowTheAction() {
    CliRun after = CliRun.of("ctl", "status", "--port", String.valueOf(raid.port()),
        "--timeout", "5s");
    assertEquals(new CliRun(0, "OPTIMAL\n", ""), after);
    CliRun disabled = CliRun.of("ctl", "disable", "--port=" + raid.port(), "c");
    assertEquals(0, disabled.exitCode(), disabled.toString());
    assertEquals(2, ctl("status").exitCode());
  }

  @Test
  void noWaitReturnsOnceTheRecoveryStartedAfterTheActionOrBeforeIt() {
    ctl("disable", "b");
    CliRun documented = ctl("recover", "b", "--no-wait");
    assertEquals(0, documented.exitCode(), documented.toString());
    assertEquals("recovering backend 'b': RECOVERING\n", documented.out());
    assertEquals(1, ctl("status").exitCode(), "still RECOVERING: nothing waited for it");
    ctl("details"); // the stand-in completes a recovery when its backends are listed
    ctl("disable", "c");
    CliRun before = ctl("--no-wait", "recover", "c"); // where 0.1.0 documented it
    assertEquals(0, before.exitCode(), before.toString());
    assertEquals("recovering backend 'c': RECOVERING\n", before.out());
    assertEquals(1, ctl("status").exitCode());
  }

  @Test
  void aScrubWaitsForItsEndAndIsOkWhenEveryBackendAgrees() {
    assertEquals(new CliRun(0, "no scrub has run since the RAID opened\n", ""),
        ctl("scrub-status"));

    CliRun scrub = ctl("scrub");

    assertEquals(0, scrub.exitCode(), scrub.toString());
    assertTrue(scrub.out().startsWith("scrubbing 'a', 'b', 'c'\n"), scrub.out());
    assertTrue(scrub.out().contains("scrub DONE: 100/100 transactions, 4096/4096 bytes, "),
        scrub.out());
    CliRun status = ctl("scrub-status");
    assertEquals(0, status.exitCode(), status.toString());
    assertTrue(status.out().startsWith("scrub DONE: "), status.out());
  }

  @Test
  void aScrubThatFindsADivergedBackendIsCriticalAndOneThatRepairedItAWarning() {
    raid.divergeNextScrub("c");
    CliRun found = ctl("scrub");
    assertEquals(2, found.exitCode(), found.toString());
    assertTrue(found.out().contains("  backend 'c' diverged at tid 0x0000000000000007"),
        found.out());
    assertTrue(found.out().contains("the data of oid 42 differs"), found.out());
    assertEquals(2, ctl("scrub-status").exitCode());

    raid.divergeNextScrub("c");
    CliRun repaired = ctl("scrub", "--repair");
    assertEquals(1, repaired.exitCode(), repaired.toString());
    assertTrue(repaired.out().startsWith("scrubbing 'a', 'b', 'c', repairing\n"),
        repaired.out());
    assertTrue(repaired.out().contains("  repair of 'c': DONE"), repaired.out());

    raid.divergeNextScrub(null);
    CliRun tie = ctl("scrub", "--repair", "--from-start");
    assertEquals(2, tie.exitCode(), tie.toString());
    assertTrue(tie.out().contains("  no majority among 'a', 'b' at "), tie.out());
  }

  @Test
  void aScrubThatFailsIsUnknownAndOneStartedTwiceIsRefused() {
    raid.failNextScrub();
    CliRun failed = ctl("scrub");
    assertEquals(3, failed.exitCode(), failed.toString());
    assertTrue(failed.out().contains("scrub FAILED: "), failed.out());
    assertTrue(failed.out().contains(": scrub failed in comparing"), failed.out());

    CliRun started = ctl("scrub", "--no-wait");
    assertEquals(new CliRun(0, "scrubbing 'a', 'b', 'c'\n", ""), started);
    CliRun twice = ctl("scrub");
    assertEquals(3, twice.exitCode());
    assertTrue(twice.err().contains("refused: server failed: a scrub is already running"),
        twice.err());
    CliRun cancelled = ctl("scrub-cancel");
    assertEquals(0, cancelled.exitCode(), cancelled.toString());
    assertTrue(cancelled.out().startsWith("cancelled the scrub (CANCELLED: "), cancelled.out());
    assertEquals(3, ctl("scrub-status").exitCode(), "a cancelled scrub did not run to its end");
    assertEquals(new CliRun(0, "no scrub is running\n", ""), ctl("scrub-cancel"));
  }

  @Test
  void argumentsStartingWithAtArePassedAsTheyAre() {
    CliRun added = ctl("add", "d", "@remote:db4:7070");
    assertEquals(0, added.exitCode(), added.toString());
    assertTrue(ctl("details").out().contains("spec=@remote:db4:7070"));
  }

  @Test
  void refusedActionIsUnknown() {
    CliRun refused = ctl("disable", "nope");
    assertEquals(3, refused.exitCode());
    assertTrue(refused.err().contains("no backend named 'nope'"), refused.err());
  }

  @Test
  void unreachableServerIsUnknown() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    CliRun run = CliRun.of("ctl", "--port", String.valueOf(port), "--timeout", "2s", "status");
    assertEquals(3, run.exitCode());
    assertTrue(run.err().startsWith("UNKNOWN: cannot reach 127.0.0.1:" + port), run.err());
  }

  @Test
  void plainStorageServerIsReportedAsReachable() {
    try (MemoryStorage storage = MemoryStorage.create("plain");
        StorageServer server = StorageServer.builder(storage).start()) {
      CliRun run = CliRun.of("ctl", "--port", String.valueOf(server.port()), "status");
      assertEquals(0, run.exitCode(), run.toString());
      assertTrue(run.out().contains("serves storage 'plain', which is not a RAID"), run.out());
      CliRun disable = CliRun.of("ctl", "--port", String.valueOf(server.port()), "disable", "a");
      assertEquals(3, disable.exitCode());
      assertTrue(disable.err().contains("not a RAID"), disable.err());
    }
  }

  @Test
  void badArgumentsAreUnknownAndNameTheProblem(@TempDir Path dir) throws IOException {
    assertBad("Missing required command: status, details, disable, recover, add, remove, scrub,"
        + " scrub-status or scrub-cancel", "ctl");
    assertBad("Unknown command: 'explode'", "ctl", "explode");
    assertBad("Missing required parameter: 'NAME'", "ctl", "disable");
    assertBad("Missing required parameter: 'SPEC'", "ctl", "add", "x");
    assertBad("Invalid value for option '--port': must be a port in 0..65535, was 'http'", "ctl",
        "--port", "http", "status");
    assertBad("Unknown option: '--colour'", "ctl", "--colour", "status");
    assertBad("Invalid value for option '--timeout': must be a duration", "ctl", "--timeout",
        "soon", "status");
    Path shortSecret = Files.writeString(dir.resolve("secret"), "short\n");
    assertBad("must be at least 16 bytes, was 5", "ctl", "--secret-file",
        shortSecret.toString(), "status");
    assertBad("is not a readable file", "ctl", "--secret-file", dir.resolve("none").toString(),
        "status");
  }

  private static void assertBad(String message, String... args) {
    CliRun run = CliRun.of(args);
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), run.err());
    assertTrue(run.err().contains("Usage: loomraid ctl"), "usage follows the error");
  }
}
