package org.loomraid.backends.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.postgres.PostgresStorage;
import org.loomraid.backends.postgres.TestDatabases;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * The {@code postgres:} backend spec of a RAID front-end: credentials from a file, never from a
 * spec; the front-end serves a RAID over databases, and {@code ctl} shows, adds and recovers
 * such a backend like any other.
 */
@Timeout(120)
class PostgresBackendSpecTest {

  @TempDir Path dir;

  @Test
  void mistakesInPostgresSpecsAreNamedBeforeAnythingOpens() throws IOException {
    Path credentials = Files.writeString(dir.resolve("pg.credentials"), "user = loomraid\n");
    String file = "postgres-credentials-file = " + credentials + "\n";
    assertRefused("carries credentials; put them in the file",
        "backend.a = postgres:jdbc:postgresql://db/app?user=x&password=hush\n" + file);
    assertRefused("spec must be postgres:jdbc:postgresql://HOST[:PORT]/DATABASE",
        "backend.a = postgres:jdbc:mysql://db/app\n" + file);
    assertRefused("postgres-schema: schema must be a lower-case SQL identifier",
        "backend.a = postgres:jdbc:postgresql://db/app\npostgres-schema = Orders\n");
    assertRefused("postgres-credentials-file: " + dir.resolve("none") + " is not a readable file",
        "backend.a = postgres:jdbc:postgresql://db/app\npostgres-credentials-file = "
            + dir.resolve("none") + "\n");
    Path passwordOnly = Files.writeString(dir.resolve("password-only"), "password = hush\n");
    assertRefused("gives a password but no user", "backend.a = postgres:jdbc:postgresql://db/app\n"
        + "postgres-credentials-file = " + passwordOnly + "\n");
    UsageException secret = assertThrows(UsageException.class, () -> RaidConfig.parse(properties(
        "backend.a = postgres:jdbc:postgresql://db/app?password=hush\n" + file), "x"));
    assertFalse(secret.getMessage().contains("hush"), secret.getMessage());
  }

  @Test
  void aFrontEndServesARaidOverDatabasesAndCtlAddsShowsAndRecoversOne() throws Exception {
    String schema = TestDatabases.freshSchema();
    TestDatabases.pool("raid_a");
    TestDatabases.pool("raid_b");
    Path credentials = Files.writeString(dir.resolve("pg.credentials"),
        "user = postgres\npassword = not-needed-here\n");
    RaidConfig config = RaidConfig.parse(properties(String.join("\n",
        "name = front",
        "port = 0",
        "backend.disk = file:" + dir.resolve("disk"),
        "backend.pg1 = postgres:" + TestDatabases.url("raid_a"),
        "postgres-credentials-file = " + credentials,
        "postgres-schema = " + schema, "")), "x");
    try (RaidStorage raid = config.raid().open(); StorageServer server = config.server(raid)) {
      String port = String.valueOf(server.port());
      CliRun details = CliRun.of("ctl", "--port", port, "details");
      assertEquals(0, details.exitCode(), details.toString());
      assertTrue(details.out().contains("pg1      OPTIMAL"), details.out());

      CliRun added = CliRun.of("ctl", "--port", port, "add", "pg2",
          "postgres:" + TestDatabases.url("raid_b"));
      assertEquals(0, added.exitCode(), added.toString());
      CliRun recovered = CliRun.of("ctl", "--port", port, "recover", "pg2");
      assertEquals(0, recovered.exitCode(), recovered.toString());
      String after = CliRun.of("ctl", "--port", port, "details").out();
      assertTrue(after.contains("pg1      OPTIMAL") && after.contains("pg2      OPTIMAL"), after);

      Tid tid;
      try (RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
        Oid oid = client.newOid();
        try (StorageTransaction tx = client.begin(TransactionMeta.of("cli", "through the front"))) {
          tx.store(oid, Tid.NONE, "v1".getBytes(StandardCharsets.UTF_8));
          tx.vote();
          tid = tx.commit();
        }
      }
      for (String database : new String[] {"raid_a", "raid_b"}) {
        try (PostgresStorage storage = PostgresStorage.builder(TestDatabases.pool(database))
            .schema(schema).open()) {
          assertEquals(tid, storage.lastTransaction(), database);
        }
      }
    }
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
