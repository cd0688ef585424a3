package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code loomraid} launcher script's own answers (those that need no build and no JDK). */
@Timeout(60)
class LauncherTest {

  private static final Path LAUNCHER = Path.of("..", "loomraid").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  @Test
  void aMistypedSubcommandIsUnknownAndSuggestsTheNearest() throws Exception {
    Run run = launch("serv", "--dir", "x");
    assertEquals(3, run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("loomraid: unknown subcommand 'serv'\n"
        + "loomraid: did you mean 'serve'?\n"), run.err());
    assertTrue(run.err().contains("Usage: ./loomraid <subcommand>"), run.err());
    assertTrue(launch("compre").err().contains("did you mean 'compare'?"));
    Run unlike = launch("explode");
    assertEquals(3, unlike.exitCode());
    assertTrue(!unlike.err().contains("did you mean"), unlike.err());
  }

  @Test
  void helpAndNothingShowTheUsage() throws Exception {
    Run help = launch("help");
    assertEquals(0, help.exitCode(), help.toString());
    assertTrue(help.out().contains("help [SUBCOMMAND]"), help.out());
    assertTrue(help.out().contains("--version"), help.out());
    Run nothing = launch();
    assertEquals(3, nothing.exitCode());
    assertEquals(help.out(), nothing.err());
  }

  private record Run(int exitCode, String out, String err) {}

  private Run launch(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the launcher did not finish");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
