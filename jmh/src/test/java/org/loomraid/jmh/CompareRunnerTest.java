package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompareRunnerTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return CompareRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void badOptionExitsWithTwoAndPrintsTheReasonAndUsage() {
    assertEquals(2, run("--records", "none"));

    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("loomraid compare: --records needs a whole number"), text);
    assertTrue(text.contains("Usage: loomraid compare"), text);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsUsageAndExitsWithZero() {
    assertEquals(0, run("--help"));

    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: loomraid compare"));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }
}
