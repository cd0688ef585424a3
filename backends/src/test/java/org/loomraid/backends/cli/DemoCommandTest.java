package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DemoCommandTest {

  @Test
  void demoWalksThroughFailureAndRecoveryAndCleansUp(@TempDir Path dir) {
    Path root = dir.resolve("demo");
    long started = System.nanoTime();
    CliRun run = CliRun.of("demo", "--dir", root.toString());
    System.out.printf("demo took %d ms%n", (System.nanoTime() - started) / 1_000_000);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    String out = run.out();
    assertTrue(out.contains("Kill server b"), out);
    assertTrue(out.matches("(?s).*b +DEGRADED.*"), "details show b DEGRADED:\n" + out);
    assertTrue(out.contains("backend b is OPTIMAL"), out);
    assertTrue(out.contains("RAID OPTIMAL"), out);
    assertTrue(out.contains("identical: every transaction"), out);
    assertTrue(out.contains("Demo finished"), out);
    assertFalse(Files.exists(root), "cleaned up");
  }
}
