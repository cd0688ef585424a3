package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.backends.remote.wire.SharedSecret;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.Commits;

@Timeout(30)
class AuthenticationTest {

  private static final byte[] SECRET = bytes("correct horse battery staple");

  private MemoryStorage served;
  private StorageServer server;

  @BeforeEach
  void start() {
    served = MemoryStorage.create("served");
    server = StorageServer.builder(served).secret(SECRET).start();
  }

  @AfterEach
  void stop() {
    server.close();
    served.close();
  }

  @Test
  void clientWithTheSecretIsServed() {
    try (RemoteStorage client =
        RemoteStorage.builder("127.0.0.1", server.port()).secret(SECRET).connect()) {
      Tid tid = Commits.write(client, Oid.of(1), Tid.NONE, "authenticated");
      assertEquals(tid, served.lastTransaction());
    }
  }

  @Test
  void wrongSecretIsRefusedAtConnect() {
    RemoteStorageException e = assertThrows(RemoteStorageException.class,
        () -> RemoteStorage.builder("127.0.0.1", server.port())
            .secret(bytes("incorrect horse battery staple")).connect());
    assertEquals(RemoteStorageException.AUTHENTICATION_FAILED, e.remoteType());
    assertEquals(0, served.stats().transactions());
  }

  @Test
  void clientWithoutASecretIsRefused() {
    RemoteStorageException e = assertThrows(RemoteStorageException.class,
        () -> RemoteStorage.connect("127.0.0.1", server.port()));
    assertEquals(RemoteStorageException.AUTHENTICATION_FAILED, e.remoteType());
    assertTrue(e.getMessage().contains("requires a shared secret"), e.getMessage());
  }

  @Test
  void clientWithASecretRefusesAServerThatDoesNotAuthenticate() {
    try (StorageServer open = StorageServer.builder(served).start()) {
      RemoteStorageException e = assertThrows(RemoteStorageException.class,
          () -> RemoteStorage.builder("127.0.0.1", open.port()).secret(SECRET).connect());
      assertEquals(RemoteStorageException.AUTHENTICATION_FAILED, e.remoteType());
    }
  }

  @Test
  void shortSecretsAreRefusedByBothBuilders() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StorageServer.builder(served).secret(bytes("short")));
    assertEquals("secret must be at least 16 bytes, was 5", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> RemoteStorage.builder("127.0.0.1", 1).secret(bytes("short")));
  }

  @Test
  void proofsDifferPerNonceAndCompareInConstantTime() {
    SharedSecret shared = new SharedSecret(SECRET, "secret");
    byte[] nonceA = SharedSecret.newNonce();
    byte[] nonceB = SharedSecret.newNonce();
    byte[] proof = shared.clientProof(nonceA, nonceB);
    assertTrue(SharedSecret.same(proof, shared.clientProof(nonceA, nonceB)));
    assertTrue(!SharedSecret.same(proof, shared.clientProof(nonceB, nonceA)));
    assertTrue(!SharedSecret.same(proof, shared.serverProof(nonceA, nonceB)),
        "client and server proofs differ, so one cannot be reflected as the other");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
