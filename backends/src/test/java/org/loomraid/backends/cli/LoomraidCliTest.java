package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoomraidCliTest {

  @Test
  void everySubcommandHasHelp() {
    CliRun overview = CliRun.of("--help");
    assertEquals(0, overview.exitCode());
    for (String command : new String[] {"serve", "raid", "ctl", "demo"}) {
      assertTrue(overview.out().contains("  " + command + " "), overview.out());
      CliRun help = CliRun.of(command, "--help");
      assertEquals(0, help.exitCode(), command);
      assertTrue(help.out().startsWith("usage: loomraid " + command), help.out());
      assertEquals("", help.err());
    }
  }

  @Test
  void noArgumentsOrAnUnknownCommandShowTheOverview() {
    CliRun none = CliRun.of();
    assertEquals(3, none.exitCode());
    assertTrue(none.out().startsWith("usage: loomraid COMMAND"), none.out());
    CliRun unknown = CliRun.of("explode");
    assertEquals(3, unknown.exitCode());
    assertTrue(unknown.err().startsWith("loomraid: unknown command 'explode'"), unknown.err());
  }
}
