package org.loomraid.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MemoryStorage's histories: appends without copying, exact searches, drops in place, safe readers. */
@Timeout(60)
class ChunkedHistoryTest {

  private static final ThreadFactory READERS =
      Thread.ofPlatform().name("history-reader-", 0).daemon(true).factory();

  /** An element that knows its key, so a reader can tell a wrong answer from a right one. */
  private record Item(long key) {}

  @Test
  void aSeededRandomHistoryAnswersLikeAListOfWhatWasAppendedAndNotDropped() {
    long seed = System.nanoTime();
    System.out.println("ChunkedHistoryTest seed: " + seed);
    Random random = new Random(seed);
    ChunkedHistory<Item> history = new ChunkedHistory<>(1);
    List<Long> keys = new ArrayList<>();
    int start = 0;
    long key = 0;
    for (int step = 0; step < 30_000; step++) {
      int action = random.nextInt(100);
      if (action < 70 || keys.size() - start < 2) {
        key += 1 + random.nextInt(3);
        history.append(key, new Item(key));
        keys.add(key);
      } else if (action < 72) {
        int keepFrom = start + random.nextInt(keys.size() - start);
        assertEquals(Math.max(0, keepFrom - start), history.dropBefore(keepFrom), "seed " + seed);
        start = Math.max(start, keepFrom);
      } else {
        long probe = random.nextLong(key + 2);
        Long expected = null;
        for (int i = keys.size() - 1; i >= start && expected == null; i--) {
          if (keys.get(i) <= probe) {
            expected = keys.get(i);
          }
        }
        Item found = history.latestAtOrBefore(probe);
        assertEquals(expected, found == null ? null : found.key(), "latest at or before " + probe
            + ", seed " + seed);
        Item exact = history.exactly(probe);
        boolean present = keys.subList(start, keys.size()).contains(probe);
        assertEquals(present ? probe : null, exact == null ? null : exact.key(), "exactly " + probe
            + ", seed " + seed);
      }
      assertEquals(keys.size(), history.size());
      assertEquals(start, history.start());
    }
  }

  @Test
  void droppingClearsTheReferencesAndReleasesWholeChunks() {
    ChunkedHistory<Item> history = new ChunkedHistory<>(1);
    int size = 10 * ChunkedHistory.CHUNK + 3;
    for (int i = 0; i < size; i++) {
      history.append(i + 1, new Item(i + 1));
    }
    long full = history.heapBytes();
    int keepFrom = 8 * ChunkedHistory.CHUNK + 5;
    assertEquals(keepFrom, history.dropBefore(keepFrom));
    for (int i = 0; i < keepFrom; i++) {
      assertNull(history.elementAt(i), "element " + i + " was dropped");
    }
    for (int i = keepFrom; i < size; i++) {
      assertEquals(i + 1, history.elementAt(i).key());
    }
    assertNull(history.latestAtOrBefore(keepFrom), "every key up to the start is gone");
    assertEquals(keepFrom + 1, history.latestAtOrBefore(keepFrom + 1).key());
    // 11 chunks (the head and 10 in the tail); keepFrom is in the 9th, so 3 remain.
    assertTrue(history.heapBytes() < full * 3 / 10, "dropping 8 of 11 chunks kept "
        + history.heapBytes() + " of " + full + " bytes");
    assertEquals(0, history.dropBefore(keepFrom), "dropping again changes nothing");
    assertThrows(IllegalArgumentException.class, () -> history.dropBefore(size),
        "the newest element is always kept");
    history.append(size + 1, new Item(size + 1));
    assertEquals(size + 1, history.latestAtOrBefore(Long.MAX_VALUE).key(), "appends go on");
  }

  @Test
  void aLongHistoryCostsTwelveBytesPerElementBeyondTheElements() {
    ChunkedHistory<Item> history = new ChunkedHistory<>(2);
    Item shared = new Item(0);
    int size = 200 * ChunkedHistory.CHUNK;
    for (int i = 0; i < size; i++) {
      history.append(i, shared);
    }
    double perElement = (double) history.heapBytes() / size;
    assertTrue(perElement < 12.5, "bytes per element: " + perElement);
    assertSame(shared, history.latestAtOrBefore(size / 2));
  }

  /**
   * One mutator appends and, now and then, drops all but the newest few elements, while readers
   * ask for keys below the size they read: every answer is the element with exactly that key,
   * or nothing if that key was dropped by then.
   */
  @Test
  void readersGetTheRightElementOrNothingWhileTheMutatorAppendsAndDrops() throws Exception {
    ChunkedHistory<Item> history = new ChunkedHistory<>(1);
    history.append(1, new Item(1));
    AtomicBoolean mutating = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      long seed = r;
      Thread reader = READERS.newThread(() -> {
        Random random = new Random(seed);
        while (mutating.get()) {
          int size = history.size();
          long key = 1 + random.nextInt(size);
          check(errors, history, key, history.latestAtOrBefore(key), "latest");
          check(errors, history, key, history.exactly(key), "exactly");
          check(errors, history, size, history.latestAtOrBefore(size), "newest");
        }
      });
      reader.start();
      readers.add(reader);
    }
    int total = 200 * ChunkedHistory.CHUNK;
    for (int i = 2; i <= total; i++) {
      history.append(i, new Item(i));
      if (i % 3001 == 0) {
        history.dropBefore(i - 100);
      }
    }
    mutating.set(false);
    for (Thread reader : readers) {
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertTrue(errors.isEmpty(), () -> "readers saw: " + errors.stream().limit(5).toList());
  }

  private static void check(ConcurrentLinkedQueue<String> errors, ChunkedHistory<Item> history,
      long key, Item found, String what) {
    if (found == null) {
      // Keys are dense (key k at index k - 1): nothing may come back only if k was dropped.
      if (key - 1 >= history.start()) {
        errors.add(what + " " + key + ": nothing, yet the start is " + history.start());
      }
    } else if (found.key() != key) {
      errors.add(what + " " + key + ": found the element of key " + found.key());
    }
  }
}
