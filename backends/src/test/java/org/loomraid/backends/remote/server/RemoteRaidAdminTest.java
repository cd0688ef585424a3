package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;
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
  void aScrubOfAServedRaidTravelsWithWhatItFound() {
    FaultyStorage c = FaultyStorage.wrap(MemoryStorage.create("c"));
    try (RaidStorage raid = RaidStorage.builder("served")
            .backend("a", () -> MemoryStorage.create("a"))
            .backend("b", () -> MemoryStorage.create("b"))
            .backend("c", () -> c)
            .open();
        StorageServer server = StorageServer.builder(raid).raidAdmin(raid.admin()).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      List<Tid> tids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        try (StorageTransaction tx = raid.begin(TransactionMeta.of("t", "tx " + i))) {
          tx.store(Oid.of(100 + i), Tid.NONE, ("value " + i).getBytes());
          tx.vote();
          tids.add(tx.commit());
        }
      }
      Tid bad = tids.get(5);
      c.corrupt(bad, r -> new TransactionRecord(r.tid(), r.meta(),
          List.of(new DataRecord(Oid.of(105), "rotten".getBytes()))));
      RemoteRaidAdmin admin = client.admin();
      assertEquals(Optional.empty(), admin.lastScrub());
      assertEquals(Optional.empty(), admin.cancelScrub());

      RemoteRaidAdmin.Scrub started = admin.scrub(false, false);

      assertFalse(started.repair());
      assertEquals(List.of("a", "b", "c"), started.backends());
      await().until(() -> admin.lastScrub().orElseThrow().isDone());
      RemoteRaidAdmin.Scrub done = admin.lastScrub().orElseThrow();
      assertEquals("DONE", done.phase(), done.failure());
      assertEquals(20, done.transactionsCompared());
      assertEquals(tids.get(19), done.end());
      RemoteRaidAdmin.Finding found = done.findings().get(0);
      assertEquals("DIVERGED", found.kind());
      assertEquals(List.of("c"), found.backends());
      assertEquals(bad, found.tid());
      assertEquals(Optional.of(Oid.of(105)), found.oid());
      assertTrue(found.describe().startsWith("backend 'c' diverged at " + bad + ", "
          + Oid.of(105) + ": the data of"), found.describe());
      RemoteRaidAdmin.Backend degraded = admin.backends().get(2);
      assertEquals("DEGRADED", degraded.state());
      assertTrue(degraded.reason().startsWith("diverged at " + bad), degraded.reason());

      RemoteRaidAdmin.Scrub again = admin.scrub(true, true);
      assertTrue(again.repair());
      assertEquals(List.of("a", "b"), again.backends());
      await().until(() -> admin.lastScrub().orElseThrow().isDone());
      assertEquals(List.of(), admin.lastScrub().orElseThrow().findings());
    }
  }

  @Test
  void aScrubThatCannotStartIsRefusedWithTheRaidsReason() {
    try (RaidStorage raid = RaidStorage.builder("lonely")
            .backend("a", () -> MemoryStorage.create("a"))
            .open();
        StorageServer server = StorageServer.builder(raid).raidAdmin(raid.admin()).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      RemoteStorageException refused =
          assertThrows(RemoteStorageException.class, () -> client.admin().scrub(false, false));
      assertEquals(IllegalStateException.class.getName(), refused.remoteType());
      assertTrue(refused.getMessage().contains("a scrub compares two or more optimal backends"),
          refused.getMessage());
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
      RemoteStorageException scrub =
          assertThrows(RemoteStorageException.class, () -> client.admin().scrub(false, false));
      assertEquals(RemoteStorageException.NOT_A_RAID, scrub.remoteType());
      assertEquals("storage 'plain' is not a RAID", scrub.getMessage());
    }
  }
}
