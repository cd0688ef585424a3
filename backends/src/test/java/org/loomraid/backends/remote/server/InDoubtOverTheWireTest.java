package org.loomraid.backends.remote.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.DelegatingStorage;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage;

/** A served storage's in-doubt commit reaches the remote client as one, with its tid. */
@Timeout(60)
class InDoubtOverTheWireTest {

  @Test
  void servedStorageThatDoesNotKnowItsCommitIsInDoubtAtTheClient() {
    Tid tid = Tid.of(1_000_000);
    try (MemoryStorage memory = MemoryStorage.create("served");
        StorageServer server = StorageServer.builder(new SyncFailing(memory)).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY, tid);
      txn.store(Oid.of(1), Tid.NONE, Commits.bytes("written, not synced"));
      txn.vote();
      CommitOutcomeUnknownException doubt =
          assertThrows(CommitOutcomeUnknownException.class, txn::commit);
      assertEquals(tid, doubt.tid());
      assertTrue(doubt.getMessage().contains("sync failed"), doubt.getMessage());
    }
  }

  @Test
  void raidWhoseOnlyBackendHangsInCommitReportsItsRemoteClientInDoubtWithTheTid() {
    MemoryStorage memory = MemoryStorage.create("a");
    FaultyStorage faulty = FaultyStorage.wrap(memory);
    try (RaidStorage raid = RaidStorage.builder("served-raid").backend("a", () -> faulty)
            .callTimeout(Duration.ofMillis(300)).open();
        StorageServer server = StorageServer.builder(raid).raidAdmin(raid.admin()).start();
        RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port())
            .callTimeout(Duration.ofSeconds(10)).connect()) {
      faulty.on(FaultyStorage.Operation.COMMIT).hang();
      StorageTransaction txn = client.begin(TransactionMeta.EMPTY);
      txn.store(Oid.of(1), Tid.NONE, Commits.bytes("in doubt"));
      txn.vote();
      CommitOutcomeUnknownException doubt =
          assertThrows(CommitOutcomeUnknownException.class, txn::commit);
      assertFalse(doubt.tid().isNone(), "the RAID's tid travels: " + doubt.getMessage());
      faulty.clearAll();
      faulty.releaseHangs();
    } finally {
      memory.close();
    }
  }

  /** A storage whose commit reaches the device but whose sync fails: it cannot tell. */
  private static final class SyncFailing extends DelegatingStorage {
    SyncFailing(Storage delegate) {
      super(delegate);
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta, Tid tid) {
      StorageTransaction txn = delegate.begin(meta, tid);
      return new StorageTransaction() {
        @Override
        public void store(Oid oid, Tid expectedSerial, byte[] data) {
          txn.store(oid, expectedSerial, data);
        }

        @Override
        public void vote() {
          txn.vote();
        }

        @Override
        public Tid commit() {
          txn.abort();
          throw new CommitOutcomeUnknownException("storage 'served': sync failed after the write",
              tid, null);
        }

        @Override
        public void abort() {
          txn.abort();
        }

        @Override
        public void close() {
          txn.close();
        }
      };
    }
  }
}
