package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A pack is the RAID's own maintenance: a backend busy with it is not dead, so writers wait for
 * the pack (or are refused clearly) and no backend leaves service. And a pack while a backend was
 * out of service never makes a later recovery refuse a consistent backend.
 */
class PackCoordinationTest {

  /**
   * A backend whose pack holds its commit lock until the test lets it go, as a storage that packs
   * under its commit lock does: a vote meanwhile waits for the pack.
   */
  static final class PackHoldingStorage extends ForwardingStorage {
    final CountDownLatch packRelease = new CountDownLatch(1);
    final CountDownLatch packing = new CountDownLatch(1);
    final AtomicBoolean packed = new AtomicBoolean();
    final AtomicLong votesDuringPack = new AtomicLong();

    PackHoldingStorage(Storage delegate) {
      super(delegate);
    }

    @Override
    public void pack(Tid before) {
      packing.countDown();
      awaitRelease();
      super.pack(before);
      packed.set(true);
    }

    @Override
    public StorageTransaction begin(TransactionMeta meta, Tid tid) {
      StorageTransaction tx = super.begin(meta, tid);
      return new StorageTransaction() {
        @Override
        public void store(Oid oid, Tid expectedSerial, byte[] data) {
          tx.store(oid, expectedSerial, data);
        }

        @Override
        public void vote() {
          if (packing.getCount() == 0 && !packed.get()) {
            votesDuringPack.incrementAndGet();
            awaitRelease(); // the commit lock is the pack's
          }
          tx.vote();
        }

        @Override
        public Tid commit() {
          return tx.commit();
        }

        @Override
        public void abort() {
          tx.abort();
        }

        @Override
        public void close() {
          tx.close();
        }
      };
    }

    private void awaitRelease() {
      try {
        if (!packRelease.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the pack");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while packing", e);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(WriteMode.class)
  void aCommitDuringALongPackWaitsForItAndNoBackendLeavesService(WriteMode mode) throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    MemoryStorage b = MemoryStorage.create("b");
    PackHoldingStorage slowA = new PackHoldingStorage(a);
    PackHoldingStorage slowB = new PackHoldingStorage(b);
    try (RaidStorage raid = RaidStorage.builder("pack").writeMode(mode)
        .callTimeout(Duration.ofMillis(500))
        .backend("a", () -> slowA).backend("b", () -> slowB).open()) {
      List<Tid> tids = RecoveryTest.commitMany(raid, 20, 1);
      CompletableFuture<Void> pack = CompletableFuture.runAsync(() -> raid.pack(tids.get(10)),
          Thread::startVirtualThread);
      // In SEQUENTIAL mode b packs only after a.
      assertTrue(slowA.packing.await(30, TimeUnit.SECONDS), raid.backends().toString());
      CompletableFuture<Tid> commit = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        try {
          commit.complete(Fixture.commit(raid, Oid.of(100), Tid.NONE, "during the pack"));
        } catch (Throwable t) {
          commit.completeExceptionally(t);
        }
      });
      // The pack outlasts the call timeout twice over: the commit waits, nobody is degraded.
      await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(10))
          .until(() -> !commit.isDone());
      assertEquals(0, slowA.votesDuringPack.get() + slowB.votesDuringPack.get(),
          "no vote reached a backend while its pack held its commit lock");
      assertEquals(RaidStatus.OPTIMAL, raid.status());

      slowA.packRelease.countDown();
      slowB.packRelease.countDown();
      pack.get(20, TimeUnit.SECONDS);
      Tid committed = commit.get(20, TimeUnit.SECONDS);

      assertEquals(RaidStatus.OPTIMAL, raid.status(), raid.backends().toString());
      assertEquals(committed, a.lastTransaction());
      assertEquals(committed, b.lastTransaction());
      assertEquals(RecoveryTest.history(a), RecoveryTest.history(b));
    }
  }

  @Test
  void aCommitThatCannotWaitForThePackIsRefusedClearlyNamingIt() throws Exception {
    MemoryStorage a = MemoryStorage.create("a");
    PackHoldingStorage slowA = new PackHoldingStorage(a);
    try (RaidStorage raid = RaidStorage.builder("pack").callTimeout(Duration.ofMillis(500))
        .commitLockTimeout(Duration.ofMillis(300)).backend("a", () -> slowA).open()) {
      Tid last = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      CompletableFuture<Void> pack = CompletableFuture.runAsync(() -> raid.pack(last),
          Thread::startVirtualThread);
      assertTrue(slowA.packing.await(30, TimeUnit.SECONDS), raid.backends().toString());

      CommitLockTimeoutException refused = assertThrows(CommitLockTimeoutException.class,
          () -> Fixture.commit(raid, Oid.of(2), Tid.NONE, "during the pack"));

      assertTrue(refused.getMessage().contains("a pack of RAID 'pack'"), refused.getMessage());
      slowA.packRelease.countDown();
      pack.get(20, TimeUnit.SECONDS);
      assertEquals(RaidStatus.OPTIMAL, raid.status());
      Fixture.commit(raid, Oid.of(2), Tid.NONE, "after the pack");
    }
  }

  @Test
  void aPackWhileABackendWasOutOfServiceNeverMakesALaterRecoveryRefuseAConsistentOne()
      throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RecoveryTest.commitMany(raid, 10, 1);
      raid.admin().disable("a");
      List<Tid> tids = RecoveryTest.commitMany(raid, 10, 10);
      raid.pack(tids.get(5)); // packs only b

      RecoveryProgress first = RecoveryTest.awaitEnd(raid.admin().recover("a"));
      assertEquals(RecoveryPhase.DONE, first.phase(), first.toString());
      List<TransactionRecord> packed = RecoveryTest.history(f.memory(1));
      assertEquals(packed, RecoveryTest.history(f.memory(0)),
          "the recovered backend was packed to the RAID's pack horizon");

      raid.admin().disable("b");
      RecoveryProgress second = RecoveryTest.awaitEnd(raid.admin().recover("b"));

      assertEquals(RecoveryPhase.DONE, second.phase(), second.toString());
      assertEquals(RaidStatus.OPTIMAL, raid.status());
    }
  }

  @Test
  void aBackendThatMissedAPackRecoversFromAPackedSourceAndServesAsOneAfterwards()
      throws Exception {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      List<Tid> tids = RecoveryTest.commitMany(raid, 10, 1);
      raid.admin().disable("b");
      raid.pack(tids.get(8)); // a is packed, b (out of service) keeps every record
      RecoveryTest.commitMany(raid, 3, 50);
      // The record a's pack dropped is one b still has: b has more, which verification accepts.
      RecoveryProgress recovered = RecoveryTest.awaitEnd(raid.admin().recover("b"));
      assertEquals(RecoveryPhase.DONE, recovered.phase(), recovered.toString());

      raid.admin().disable("a");
      RecoveryProgress back = RecoveryTest.awaitEnd(raid.admin().recover("a"));
      assertEquals(RecoveryPhase.DONE, back.phase(), back.toString());
    }
  }
}
