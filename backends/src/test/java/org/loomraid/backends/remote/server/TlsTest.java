package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.TlsContexts;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.CapturedWarnings;

/** TLS with keystores made by the running JDK's keytool, as an operator would make them. */
@Timeout(120)
class TlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final byte[] SECRET = "tls and a secret too".getBytes(StandardCharsets.UTF_8);

  @TempDir
  static Path keys;

  private static SSLContext serverContext;
  private static SSLContext clientContext;
  private static SSLContext strangerContext;

  private MemoryStorage served;
  private StorageServer server;

  @BeforeAll
  static void makeKeystores() throws Exception {
    Path server = keys.resolve("server.p12");
    Path cert = keys.resolve("server.cer");
    Path trust = keys.resolve("trust.p12");
    Path stranger = keys.resolve("stranger.p12");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-keystore", server.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
    keytool("-exportcert", "-alias", "server", "-keystore", server.toString(),
        "-storepass", "changeit", "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(),
        "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
    keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=stranger", "-validity", "2",
        "-keystore", stranger.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
    serverContext = TlsContexts.fromKeyStore(server, PASSWORD);
    clientContext = TlsContexts.trusting(trust, PASSWORD);
    strangerContext = TlsContexts.trusting(stranger, PASSWORD);
  }

  @BeforeEach
  void start() {
    served = MemoryStorage.create("served");
    server = StorageServer.builder(served).tls(serverContext).secret(SECRET).start();
  }

  @AfterEach
  void stop() {
    server.close();
    served.close();
  }

  @Test
  void clientTrustingTheServerCertificateRoundTripsOverTls() {
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .tls(clientContext).secret(SECRET).connect()) {
      Tid tid = Commits.write(client, Oid.of(1), Tid.NONE, "over tls");
      assertEquals(tid, served.lastTransaction());
      assertEquals("over tls", Commits.text(client.load(Oid.of(1)).data()));
    }
    try (RemoteStorage byName = RemoteStorage.builder("localhost", server.port())
        .tls(clientContext).secret(SECRET).connect()) {
      assertEquals(served.lastTransaction(), byName.lastTransaction());
    }
  }

  @Test
  void clientNotTrustingTheServerRefusesIt() {
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> RemoteStorage.builder("127.0.0.1", server.port())
            .tls(strangerContext).secret(SECRET).connect());
    assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
  }

  @Test
  void plaintextClientIsRefusedAndTlsClientsAreStillServed() {
    try (CapturedWarnings warnings = new CapturedWarnings(ServerConnection.class)) {
      assertThrows(RuntimeException.class,
          () -> RemoteStorage.builder("127.0.0.1", server.port()).secret(SECRET)
              .connectTimeout(java.time.Duration.ofSeconds(2)).connect());
      org.awaitility.Awaitility.await().until(() -> !warnings.lines().isEmpty());
      assertTrue(warnings.lines().get(0).contains("TLS failed"), warnings.lines().toString());
    }
    try (RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
        .tls(clientContext).secret(SECRET).connect()) {
      assertEquals(Tid.NONE, client.lastTransaction());
    }
  }

  @Test
  void unreadableKeystoreIsReportedWithItsPath() {
    Path missing = keys.resolve("missing.p12");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> TlsContexts.fromKeyStore(missing, PASSWORD));
    assertTrue(e.getMessage().contains("missing.p12"), e.getMessage());
    assertThrows(UncheckedIOException.class,
        () -> TlsContexts.trusting(keys.resolve("trust.p12"), "wrong".toCharArray()));
  }

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("keytool did not finish: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException("keytool failed (" + process.exitValue() + "): " + output);
    }
  }
}
