package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressFormatTest {

  @Test
  void everythingJmhPrintsIsKeptForTheTranscriptAndNothingReachesTheConsole() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    ProgressFormat format =
        new ProgressFormat(new PrintStream(console, true, StandardCharsets.UTF_8), 3);

    format.print("# Fork: ");
    format.println("1 of 1");
    format.println("<failure>");
    format.write("java.lang.IllegalStateException: boom\n".getBytes(StandardCharsets.UTF_8));
    format.write('x');
    format.verbosePrintln("verbose line");

    assertEquals("# Fork: 1 of 1\n<failure>\njava.lang.IllegalStateException: boom\nxverbose line",
        format.transcript().replace(System.lineSeparator(), "\n"));
    assertEquals("", console.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aBenchmarkWithoutResultIsReportedAsFailed() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    ProgressFormat format =
        new ProgressFormat(new PrintStream(console, true, StandardCharsets.UTF_8), 3);

    format.endBenchmark(null);

    assertEquals(" failed" + System.lineSeparator(), console.toString(StandardCharsets.UTF_8));
  }
}
