package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.history;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageInterruptedException;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A RAID interrupts a backend that misses its deadline. Interrupting a thread blocked in
 * {@code FileChannel} I/O closes the channel for everyone; these tests pin down that JDK fact and
 * prove that the file storage is immune: interrupted readers and writers finish or give up
 * cleanly, and every other thread keeps working. Each runs on platform and on virtual threads.
 */
class InterruptTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void anInterruptClosesAFileChannelForEveryThread(boolean virtual) throws Exception {
    Path file = Files.write(dir.resolve("data"), new byte[4096]);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      TestThreads.start("channel-reader", virtual, () -> {
        Thread.currentThread().interrupt();
        try {
          channel.read(ByteBuffer.allocate(16), 0);
          outcome.complete(null);
        } catch (IOException e) {
          outcome.complete(e);
        }
      });
      assertInstanceOf(ClosedByInterruptException.class, outcome.get(30, TimeUnit.SECONDS));
      assertFalse(channel.isOpen(), "the JDK closed the shared channel: why the storage avoids channels");
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void randomAccessFileIoIgnoresInterrupts(boolean virtual) throws Exception {
    Path file = Files.write(dir.resolve("data"), new byte[4096]);
    try (RandomAccessFile shared = new RandomAccessFile(file.toFile(), "rw")) {
      CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
      TestThreads.start("raf-user", virtual, () -> {
        Thread.currentThread().interrupt();
        try {
          byte[] buffer = new byte[512];
          for (int i = 0; i < 50; i++) {
            shared.seek(i * 10L);
            shared.readFully(buffer);
            shared.seek(i * 20L);
            shared.write(buffer);
            shared.getFD().sync();
          }
          stillInterrupted.complete(Thread.currentThread().isInterrupted());
        } catch (IOException e) {
          stillInterrupted.completeExceptionally(e);
        }
      });
      assertTrue(stillInterrupted.get(30, TimeUnit.SECONDS), "I/O neither failed nor cleared the flag");
      shared.seek(0);
      assertEquals(0, shared.read());
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void readsOnAnInterruptedThreadSucceedAndKeepTheFlag(boolean virtual) throws Exception {
    try (FileStorage storage = FileStorage.open(dir)) {
      Tid first = commit(storage, Oid.of(1), "one");
      Tid second = commit(storage, Oid.of(1), "two");
      CompletableFuture<Boolean> flagAfterReads = new CompletableFuture<>();
      TestThreads.start("interrupted-reader", virtual, () -> {
        Thread.currentThread().interrupt();
        try {
          assertArrayEquals(bytes("two"), storage.load(Oid.of(1)).data());
          assertEquals(first, storage.loadBefore(Oid.of(1), second).orElseThrow().serial());
          assertArrayEquals(bytes("one"), storage.loadSerial(Oid.of(1), first).data());
          assertEquals(2, history(storage).size());
          assertEquals(2, storage.stats().transactions());
          flagAfterReads.complete(Thread.currentThread().isInterrupted());
        } catch (Throwable e) {
          flagAfterReads.completeExceptionally(e);
        }
      });
      assertTrue(flagAfterReads.get(30, TimeUnit.SECONDS));
      assertArrayEquals(bytes("two"), storage.load(Oid.of(1)).data());
      commit(storage, Oid.of(2), "still writable");
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void readersInterruptedAgainAndAgainNeverBreakTheStorage(boolean virtual) throws Exception {
    int objects = 20;
    try (FileStorage storage = Fixtures.openFast(dir)) {
      for (int revision = 0; revision < 3; revision++) {
        for (int i = 0; i < objects; i++) {
          commit(storage, Oid.of(i), "object " + i + " revision " + revision);
        }
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        long seed = r;
        readers.add(TestThreads.start("reader-" + r, virtual, () -> {
          Random random = new Random(seed);
          while (!stop.get()) {
            if (random.nextBoolean()) {
              Thread.interrupted();
            }
            int i = random.nextInt(objects);
            try {
              Revision revision = storage.load(Oid.of(i));
              if (!new String(revision.data(), java.nio.charset.StandardCharsets.UTF_8)
                  .equals("object " + i + " revision 2")) {
                errors.add(new AssertionError("wrong data for " + i));
              }
              if (random.nextInt(10) == 0) {
                history(storage);
              }
              reads.incrementAndGet();
            } catch (Throwable e) {
              errors.add(e);
            }
          }
        }));
      }
      Awaitility.await().atMost(WAIT).until(() -> reads.get() > 100);
      Random random = new Random(42);
      for (int i = 0; i < 5_000; i++) {
        readers.get(random.nextInt(readers.size())).interrupt();
        for (int spin = random.nextInt(200); spin > 0; spin--) {
          Thread.onSpinWait();
        }
      }
      long readsDuringInterrupts = reads.get();
      stop.set(true);
      for (Thread reader : readers) {
        reader.join(WAIT.toMillis());
      }
      assertTrue(errors.isEmpty(), () -> "reads failed: " + errors);
      System.out.printf("interrupted readers (virtual=%s): %d reads, no failures%n", virtual, readsDuringInterrupts);
      commit(storage, Oid.of(100), "written after the interrupts");
      assertEquals(3 * objects + 1, history(storage).size());
    }
    try (FileStorage reopened = Fixtures.openFast(dir)) {
      assertEquals(3 * objects + 1, history(reopened).size());
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void aCommitOnAnInterruptedThreadCompletesAndIsDurable(boolean virtual) throws Exception {
    Tid committed;
    try (FileStorage storage = FileStorage.open(dir)) {
      StorageTransaction tx = storage.begin(TransactionMeta.of("t", "interrupted commit"));
      tx.store(Oid.of(1), Tid.NONE, bytes("whole"));
      tx.vote();
      CompletableFuture<Tid> result = new CompletableFuture<>();
      CompletableFuture<Boolean> flag = new CompletableFuture<>();
      TestThreads.start("interrupted-committer", virtual, () -> {
        Thread.currentThread().interrupt();
        try {
          result.complete(tx.commit());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        }
        flag.complete(Thread.currentThread().isInterrupted());
      });
      committed = result.get(30, TimeUnit.SECONDS);
      assertTrue(flag.get(30, TimeUnit.SECONDS), "the interrupt flag is kept for the caller");
      assertEquals(committed, storage.lastTransaction());
      commit(storage, Oid.of(2), "next commit");
    }
    try (FileStorage storage = FileStorage.open(dir)) {
      assertArrayEquals(bytes("whole"), storage.loadSerial(Oid.of(1), committed).data());
      assertEquals(2, history(storage).size());
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void aVoteInterruptedWhileWaitingForTheCommitLockGivesUpAndCommitsNothing(boolean virtual)
      throws Exception {
    try (FileStorage storage = FileStorage.open(dir)) {
      StorageTransaction holder = storage.begin(TransactionMeta.EMPTY);
      holder.store(Oid.of(1), Tid.NONE, bytes("holder"));
      holder.vote();
      StorageTransaction waiter = storage.begin(TransactionMeta.EMPTY);
      waiter.store(Oid.of(2), Tid.NONE, bytes("waiter"));
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread thread = TestThreads.start("waiting-voter", virtual, () -> {
        try {
          waiter.vote();
          outcome.complete(null);
        } catch (Throwable e) {
          outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost", e));
        }
      });
      Awaitility.await().atMost(WAIT).until(() -> thread.getState() == Thread.State.TIMED_WAITING);
      thread.interrupt();
      assertInstanceOf(StorageInterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
      holder.commit();
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(2)));
      commit(storage, Oid.of(3), "the lock is free");
      assertEquals(2, history(storage).size());
    }
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void commitsInterruptedAtRandomMomentsAreWholeOrAbsent(boolean virtual) throws Exception {
    int rounds = 60;
    Map<Oid, Tid> committed = new java.util.HashMap<>();
    List<Oid> abandoned = new ArrayList<>();
    Random random = new Random(7);
    try (FileStorage storage = FileStorage.open(dir)) {
      for (int round = 0; round < rounds; round++) {
        Oid oid = Oid.of(round + 1);
        CompletableFuture<Tid> outcome = new CompletableFuture<>();
        Thread committer = TestThreads.start("committer-" + round, virtual, () -> {
          try (StorageTransaction tx = storage.begin(TransactionMeta.of("t", "round"))) {
            tx.store(oid, Tid.NONE, payload(oid));
            tx.store(Oid.of(1_000_000 + oid.value()), Tid.NONE, payload(oid));
            tx.vote();
            outcome.complete(tx.commit());
          } catch (Throwable e) {
            outcome.completeExceptionally(e);
          }
        });
        for (int spin = random.nextInt(400_000); spin > 0 && committer.isAlive(); spin--) {
          Thread.onSpinWait();
        }
        committer.interrupt();
        try {
          committed.put(oid, outcome.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          assertInstanceOf(StorageInterruptedException.class, e.getCause());
          abandoned.add(oid);
        }
      }
      assertWholeOrAbsent(storage, committed, abandoned);
      commit(storage, Oid.of(999), "usable after the interrupts");
    }
    System.out.printf("interrupted commits (virtual=%s): %d committed whole, %d abandoned at vote%n",
        virtual, committed.size(), abandoned.size());
    try (FileStorage reopened = FileStorage.open(dir)) {
      assertWholeOrAbsent(reopened, committed, abandoned);
      assertEquals(committed.size() + 1, history(reopened).size());
    }
  }

  private static void assertWholeOrAbsent(FileStorage storage, Map<Oid, Tid> committed, List<Oid> abandoned) {
    for (Map.Entry<Oid, Tid> entry : committed.entrySet()) {
      Oid oid = entry.getKey();
      assertArrayEquals(payload(oid), storage.loadSerial(oid, entry.getValue()).data());
      assertArrayEquals(payload(oid), storage.load(Oid.of(1_000_000 + oid.value())).data());
    }
    for (Oid oid : abandoned) {
      assertThrows(ObjectNotFoundException.class, () -> storage.load(oid));
      assertThrows(ObjectNotFoundException.class, () -> storage.load(Oid.of(1_000_000 + oid.value())));
    }
  }

  private static byte[] payload(Oid oid) {
    byte[] data = new byte[512];
    new Random(oid.value()).nextBytes(data);
    return data;
  }
}
