package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code loomraid raid} configuration: every mistake is named before anything opens. */
class RaidConfigTest {

  @TempDir
  Path dir;

  @Test
  void validConfigurationNamesItsBackends() throws Exception {
    RaidConfig config = RaidConfig.parse(properties("""
        name = main
        port = 0
        backend.a = file:%s
        backend.b = remote:db2.example:7071
        write-mode = sequential
        read-policy = ROUND_ROBIN
        call-timeout = 750ms
        auto-recover = true
        recovery-rate-limit = 1000000
        """.formatted(dir.resolve("a"))), "fallback");
    assertEquals(2, config.backendCount());
  }

  @Test
  void mistakesAreNamed() throws Exception {
    assertRefused("no backends", "port = 0");
    assertRefused("unknown key 'colour'", "backend.a = file:/x\ncolour = blue");
    assertRefused("must start with file:, postgres: or remote:", "backend.a = ftp:/x");
    assertRefused("must be remote:HOST:PORT", "backend.a = remote:nohost");
    assertRefused("has no valid port", "backend.a = remote:host:http");
    assertRefused("names no directory", "backend.a = file:");
    assertRefused("write-mode must be one of [PARALLEL, SEQUENTIAL], was 'fast'",
        "backend.a = file:/x\nwrite-mode = fast");
    assertRefused("call-timeout must be a duration", "backend.a = file:/x\ncall-timeout = soon");
    assertRefused("port must be in 0..65535, was '70000'", "backend.a = file:/x\nport = 70000");
    assertRefused("auto-recover must be true or false", "backend.a = file:/x\nauto-recover = 1");
    assertRefused("recovery-rate-limit must be a number >= 0",
        "backend.a = file:/x\nrecovery-rate-limit = -5");
    assertRefused("secret-file: " + dir.resolve("none") + " is not a readable file",
        "backend.a = file:/x\nsecret-file = " + dir.resolve("none"));
    Path shortSecret = Files.writeString(dir.resolve("short"), "short");
    assertRefused("at least 16 bytes", "backend.a = remote:h:1\nbackend-secret-file = "
        + shortSecret);
  }

  @Test
  void raidCommandReportsConfigurationErrorsWithExitCodeThree() throws IOException {
    Path config = Files.writeString(dir.resolve("bad.properties"), "colour = blue\n");
    CliRun run = CliRun.of("raid", "--config", config.toString());
    assertEquals(3, run.exitCode());
    assertTrue(run.err().contains("unknown key 'colour'"), run.err());
    CliRun missing = CliRun.of("raid");
    assertEquals(3, missing.exitCode());
    assertTrue(missing.err().contains("Missing required option: '--config=FILE'"), missing.err());
  }

  private void assertRefused(String message, String text) throws IOException {
    UsageException e = assertThrows(UsageException.class,
        () -> RaidConfig.parse(properties(text), "x"));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  private static Properties properties(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return properties;
  }
}
