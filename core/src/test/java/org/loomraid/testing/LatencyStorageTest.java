package org.loomraid.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

class LatencyStorageTest {

  private final MemoryStorage memory = MemoryStorage.create("m");

  @AfterEach
  void close() {
    memory.close();
  }

  private static long millisOf(Runnable call) {
    long start = System.nanoTime();
    call.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void fixedLatencyDelaysEveryCallAndEveryPhaseButNotTheBufferedOnes() {
    LatencyStorage slow = LatencyStorage.fixed(memory, Duration.ofMillis(20));
    StorageTransaction[] tx = new StorageTransaction[1];
    long begin = millisOf(() -> tx[0] = slow.begin(TransactionMeta.EMPTY));
    long store = millisOf(() -> tx[0].store(Oid.of(1), Tid.NONE, "v1".getBytes(UTF_8)));
    long vote = millisOf(tx[0]::vote);
    Tid[] tid = new Tid[1];
    long commit = millisOf(() -> tid[0] = tx[0].commit());
    long load = millisOf(() -> assertArrayEquals("v1".getBytes(UTF_8),
        slow.load(Oid.of(1)).data()));
    long last = millisOf(() -> assertEquals(tid[0], slow.lastTransaction()));
    System.out.printf("20 ms latency: begin %d, store %d, vote %d, commit %d, load %d, "
        + "lastTransaction %d ms%n", begin, store, vote, commit, load, last);
    assertTrue(vote >= 20 && commit >= 20 && load >= 20 && last >= 20);
    assertTrue(begin < 20 && store < 20, "begin and store are buffered, not sent");
  }

  @Test
  void uniformLatencyStaysWithinItsBounds() {
    LatencyStorage slow = LatencyStorage.uniform(memory, Duration.ofMillis(5),
        Duration.ofMillis(15));
    for (int i = 0; i < 10; i++) {
      long took = millisOf(slow::stats);
      assertTrue(took >= 5, "took " + took);
    }
  }

  @Test
  void latencyIsInterruptibleAndAbortsAPhase() {
    LatencyStorage slow = LatencyStorage.fixed(memory, Duration.ofHours(1));
    StorageTransaction tx = slow.begin(TransactionMeta.EMPTY);
    tx.store(Oid.of(1), Tid.NONE, new byte[] {1});
    Thread.currentThread().interrupt();
    assertThrows(StorageInterruptedException.class, tx::vote);
    assertTrue(Thread.interrupted(), "the interrupt flag is kept");
    LatencyStorage fast = LatencyStorage.fixed(memory, Duration.ZERO);
    try (StorageTransaction next = fast.begin(TransactionMeta.EMPTY)) {
      next.store(Oid.of(1), Tid.NONE, new byte[] {2});
      next.vote();
      assertTrue(next.commit().isAfter(Tid.NONE), "the interrupted vote took no lock");
    }
  }

  @Test
  void badLatenciesAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> LatencyStorage.fixed(memory, Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class,
        () -> LatencyStorage.uniform(memory, Duration.ofMillis(5), Duration.ofMillis(1)));
    assertThrows(NullPointerException.class, () -> LatencyStorage.fixed(null, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> LatencyStorage.fixed(memory, null));
  }
}
