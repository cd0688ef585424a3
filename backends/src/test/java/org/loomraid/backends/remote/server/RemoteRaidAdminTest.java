package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.RemoteStorageException;

/** The administration operations travel over the protocol, whatever RAID is behind them. */
@Timeout(30)
class RemoteRaidAdminTest {

  @Test
  void administrationCallsTravelAndReturnTheRaidsView() {
    try (MemoryStorage served = MemoryStorage.create("raid");
        StorageServer server = StorageServer.builder(served)
            .administration(new FakeRaidServer.FakeAdministration()).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      assertTrue(client.servesRaid());
      RemoteRaidAdmin admin = client.admin();
      assertEquals("OPTIMAL", admin.status());
      admin.disable("b");
      assertEquals("DEGRADED", admin.status());
      RemoteRaidAdmin.Backend b = admin.backends().get(1);
      assertEquals(new RemoteRaidAdmin.Backend("b", "DEGRADED", "disabled by operator",
          Map.of("lastTid", "tid NONE")), b);
      assertEquals("RECOVERING", admin.recover("b").state());
      assertEquals("RECOVERING", admin.status());
      admin.add("d", "remote:db4:7070");
      assertEquals(new RemoteRaidAdmin.Backend("d", "DEGRADED", "added",
          Map.of("spec", "remote:db4:7070")), admin.backends().get(3));
      admin.remove("d");
      assertEquals(List.of("a", "b", "c"),
          admin.backends().stream().map(RemoteRaidAdmin.Backend::name).toList());
    }
  }

  @Test
  void refusalsOfTheRaidArriveAsTheirExceptions() {
    try (MemoryStorage served = MemoryStorage.create("raid");
        StorageServer server = StorageServer.builder(served)
            .administration(new FakeRaidServer.FakeAdministration()).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      IllegalArgumentException unknown =
          assertThrows(IllegalArgumentException.class, () -> client.admin().disable("zz"));
      assertEquals("no backend named 'zz'", unknown.getMessage());
      assertThrows(IllegalArgumentException.class, () -> client.admin().add("a", "file:/x"));
      assertEquals("OPTIMAL", client.admin().status(), "nothing changed");
    }
  }

  @Test
  void administrationOfAStorageThatIsNotARaidIsRefused() {
    try (MemoryStorage served = MemoryStorage.create("plain");
        StorageServer server = StorageServer.builder(served).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      assertFalse(client.servesRaid());
      RemoteStorageException e =
          assertThrows(RemoteStorageException.class, () -> client.admin().status());
      assertEquals(RemoteStorageException.NOT_A_RAID, e.remoteType());
      assertEquals("storage 'plain' is not a RAID", e.getMessage());
      assertThrows(RemoteStorageException.class, () -> client.admin().backends());
    }
  }
}
