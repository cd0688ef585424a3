package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/** {@code loomraid serve} as a process: serves a directory, stops on SIGTERM, keeps the data. */
@Timeout(120)
class ServeProcessTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void servedDirectorySurvivesAStopAndARestart() throws Exception {
    Path data = dir.resolve("data");
    Path secret = Files.writeString(dir.resolve("secret"), "a secret of sixteen+ bytes\n");
    byte[] secretBytes = "a secret of sixteen+ bytes".getBytes(StandardCharsets.UTF_8);
    Tid tid;
    try (ChildJvm server = ChildJvm.start("serve", "serve", "--dir", data.toString(), "--port",
        "0", "--secret-file", secret.toString())) {
      int port = server.awaitPort(PATIENCE);
      assertTrue(server.output().contains("serving storage 'data'"), server.output());
      try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", port).secret(secretBytes)
          .connect()) {
        tid = Commits.write(client, Oid.of(7), "kept".getBytes(StandardCharsets.UTF_8));
      }
      server.stop();
    }
    try (ChildJvm again = ChildJvm.start("serve-again", "serve", "--dir", data.toString(),
        "--port", "0", "--secret-file", secret.toString())) {
      int port = again.awaitPort(PATIENCE);
      try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", port).secret(secretBytes)
          .connect()) {
        assertEquals(tid, client.lastTransaction());
        assertEquals("kept", new String(client.load(Oid.of(7)).data(), StandardCharsets.UTF_8));
      }
      again.stop();
    }
  }

  @Test
  void portInUseFailsWithExitCodeOne() throws Exception {
    Path data = dir.resolve("busy");
    try (ChildJvm first = ChildJvm.start("first", "serve", "--dir", data.resolve("1").toString(),
        "--port", "0")) {
      int port = first.awaitPort(PATIENCE);
      try (ChildJvm second = ChildJvm.start("second", "serve", "--dir",
          data.resolve("2").toString(), "--port", String.valueOf(port))) {
        assertEquals(1, second.awaitExit(PATIENCE), second.output());
        assertTrue(second.output().contains("cannot listen on 127.0.0.1:" + port),
            second.output());
      }
      first.stop();
    }
  }

  @Test
  void badArgumentsExitWithThree() {
    CliRun missing = CliRun.of("serve", "--port", "0");
    assertEquals(3, missing.exitCode());
    assertTrue(missing.err().contains("Missing required option: '--dir=DIR'"), missing.err());
    CliRun extra = CliRun.of("serve", "--dir", dir.toString(), "now");
    assertEquals(3, extra.exitCode());
    assertTrue(extra.err().contains("Unexpected argument: 'now'"), extra.err());
    CliRun port = CliRun.of("serve", "--dir", dir.toString(), "--port", "99999");
    assertEquals(3, port.exitCode());
    assertTrue(port.err().contains(
        "Invalid value for option '--port': must be a port in 0..65535, was '99999'"), port.err());
  }
}
