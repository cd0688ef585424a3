package org.loomraid.backends.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;

/**
 * A RAID served by {@code loomraid raid} in its own process, used through RemoteStorage by
 * several client threads, with {@code loomraid ctl} showing the states and returning the
 * documented exit codes.
 */
@Timeout(240)
class RaidFrontEndProcessTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  @Test
  void ctlFollowsARaidFrontEndThroughDisableAndRecovery() throws Exception {
    long started = System.nanoTime();
    Path config = Files.writeString(dir.resolve("front.properties"), String.join("\n",
        "name = front",
        "port = 0",
        "backend.a = file:" + dir.resolve("a"),
        "backend.b = file:" + dir.resolve("b"),
        "backend.c = file:" + dir.resolve("c"),
        "call-timeout = 2s",
        "recovery-rate-limit = 262144",
        ""));
    ChildJvm raid = ChildJvm.start("raid", "raid", "--config", config.toString());
    cleanup.add(raid);
    int port = raid.awaitPort(PATIENCE);
    System.out.printf("front-end test: raid process up after %d ms%n",
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    String portArg = String.valueOf(port);

    RemoteStorage client = RemoteStorage.connect("127.0.0.1", port);
    cleanup.add(client);
    try (RaidProcessTest.Writers writers = new RaidProcessTest.Writers(client, 4)) {
      writers.awaitCommits(40);
      assertCtl(0, "OPTIMAL", portArg, "status");
      assertCtl(0, "disabled backend 'b'", portArg, "disable", "b");
      assertCtl(2, "DEGRADED", portArg, "status");
      CliRun details = CliRun.of("ctl", "--port", portArg, "details");
      assertEquals(2, details.exitCode(), details.toString());
      assertTrue(details.out().contains("disabled by operator"), details.out());
      writers.awaitCommits(writers.commits() + 40);
    }
    // About a megabyte the disabled backend missed: at 256 KiB/s its recovery takes seconds.
    bulkWrite(client, 1024 * 1024);
    assertCtl(0, "recovering backend 'b'", portArg, "recover", "b", "--no-wait");
    assertCtl(1, "RECOVERING", portArg, "status");
    await("recovered").atMost(PATIENCE).until(
        () -> CliRun.of("ctl", "--port", portArg, "status").exitCode() == 0);
    assertCtl(0, "RAID OPTIMAL", portArg, "details");

    assertCtl(0, "added backend 'd'", portArg, "add", "d", "file:" + dir.resolve("d"));
    assertCtl(2, "d        DEGRADED    added", portArg, "details");
    assertCtl(0, "backend 'd' is OPTIMAL", portArg, "recover", "d");
    assertCtl(0, "removed backend 'd'", portArg, "remove", "d");
    assertCtl(0, "OPTIMAL", portArg, "status");

    assertCtl(3, "refused", portArg, "disable", "nope");
    assertCtl(3, "Missing required parameter: 'NAME'", portArg, "recover");
    assertEquals(3, CliRun.of("ctl", "--port", String.valueOf(unusedPort()), "--timeout", "2s",
        "status").exitCode());

    Tid last = client.lastTransaction();
    client.close();
    raid.stop();
    List<TransactionRecord> a = history(dir.resolve("a"));
    assertEquals(last, a.get(a.size() - 1).tid());
    assertEquals(a, history(dir.resolve("b")), "b recovered to the same history");
    assertEquals(a, history(dir.resolve("c")));
    assertEquals(a, history(dir.resolve("d")), "the added backend was brought up to date");
    System.out.printf("front-end test: %d transactions mirrored, %d ms in all%n", a.size(),
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  private static void bulkWrite(RemoteStorage client, int bytes) {
    byte[] chunk = new byte[64 * 1024];
    for (int written = 0, i = 0; written < bytes; written += chunk.length, i++) {
      Commits.write(client, org.loomraid.storage.Oid.of(10_000 + i), chunk);
    }
  }

  private static void assertCtl(int code, String output, String port, String... command) {
    String[] args = new String[command.length + 3];
    args[0] = "ctl";
    args[1] = "--port";
    args[2] = port;
    System.arraycopy(command, 0, args, 3, command.length);
    CliRun run = CliRun.of(args);
    assertEquals(code, run.exitCode(), run.toString());
    assertTrue((run.out() + run.err()).contains(output), run.toString());
  }

  private static List<TransactionRecord> history(Path directory) {
    try (FileStorage storage = FileStorage.open(directory);
        TransactionIterator iterator = storage.transactions(Tid.NONE)) {
      List<TransactionRecord> records = new ArrayList<>();
      iterator.forEachRemaining(records::add);
      return records;
    }
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
