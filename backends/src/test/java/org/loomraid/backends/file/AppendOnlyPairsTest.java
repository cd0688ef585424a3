package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The index's append-only pairs: every pair readable, searches exact, readers safe while it grows. */
@Timeout(60)
class AppendOnlyPairsTest {

  /** Enough pairs to fill the head, many tail chunks and grow the directory several times. */
  private static final int PAIRS = 40 * AppendOnlyPairs.CHUNK_PAIRS + 17;

  @Test
  void everyPairStaysReadableAsTheSequenceGrowsThroughChunks() {
    AppendOnlyPairs pairs = new AppendOnlyPairs(1);
    for (int i = 0; i < PAIRS; i++) {
      pairs.append(10L * (i + 1), i);
      assertEquals(i + 1, pairs.size());
      assertEquals(10L * (i + 1), pairs.key(i), "newest key after append #" + i);
    }
    for (int i = 0; i < PAIRS; i++) {
      assertEquals(10L * (i + 1), pairs.key(i), "key " + i);
      assertEquals(i, pairs.value(i), "value " + i);
    }
  }

  @Test
  void lastAtOrBeforeFindsTheNewestPairAtOrBeforeAKeyWithinTheVisiblePrefix() {
    AppendOnlyPairs pairs = new AppendOnlyPairs(2);
    for (int i = 0; i < PAIRS; i++) {
      pairs.append(10L * (i + 1), i);
    }
    assertEquals(-1, pairs.lastAtOrBefore(9));
    assertEquals(-1, pairs.lastAtOrBefore(Long.MIN_VALUE));
    for (int i = 0; i < PAIRS; i += 97) {
      assertEquals(i, pairs.lastAtOrBefore(10L * (i + 1)), "exact key of pair " + i);
      assertEquals(i, pairs.lastAtOrBefore(10L * (i + 1) + 9), "just before pair " + (i + 1));
      assertEquals(i - 1, pairs.lastAtOrBefore(10L * (i + 1) - 1), "just before pair " + i);
    }
    assertEquals(PAIRS - 1, pairs.lastAtOrBefore(Long.MAX_VALUE));
    assertEquals(99, pairs.lastAtOrBefore(Long.MAX_VALUE, 100), "capped at the visible prefix");
    assertEquals(-1, pairs.lastAtOrBefore(Long.MAX_VALUE, 0));
  }

  @Test
  void aLongSequenceCostsSixteenBytesPerPairAndAShortOneStaysSmall() {
    AppendOnlyPairs pairs = new AppendOnlyPairs(2);
    for (int i = 0; i < PAIRS; i++) {
      pairs.append(i, i);
    }
    double perPair = (double) pairs.heapBytes() / PAIRS;
    assertTrue(perPair < 16.5, "bytes per pair: " + perPair);
    AppendOnlyPairs two = new AppendOnlyPairs(1, 1, 2);
    two.append(2, 2);
    assertTrue(two.heapBytes() <= 120, "a two-pair sequence holds " + two.heapBytes() + " bytes");
    assertEquals(32, new SortedPairs.Single(1, 1).heapBytes());
  }

  @Test
  void aSinglePairAnswersLikeASequenceOfOne() {
    SortedPairs single = new SortedPairs.Single(50, 7);
    AppendOnlyPairs one = new AppendOnlyPairs(50, 7, 1);
    for (long key : new long[] {Long.MIN_VALUE, 49, 50, 51, Long.MAX_VALUE}) {
      assertEquals(one.lastAtOrBefore(key), single.lastAtOrBefore(key), "key " + key);
    }
    assertEquals(-1, single.lastAtOrBefore(Long.MAX_VALUE, 0));
    assertEquals(50, single.key(0));
    assertEquals(7, single.value(0));
  }

  /**
   * One writer appends while readers check, again and again, that every pair below the size they
   * read is the one the writer wrote there: no reader ever sees a torn or missing pair.
   */
  @Test
  void readersSeeEveryPublishedPairWhileTheWriterAppends() throws Exception {
    AppendOnlyPairs pairs = new AppendOnlyPairs(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(TestThreads.start("pairs-reader-" + r, false, () -> {
        int checks = 0;
        while (writing.get() || checks == 0) {
          int size = pairs.size();
          if (size == 0) {
            continue;
          }
          // The newest pair (just published, the likeliest to be caught half-written) and one
          // anywhere below it.
          for (int probe : new int[] {size - 1, Math.floorMod(checks * 7919, size)}) {
            if (pairs.key(probe) != 2L * probe || pairs.value(probe) != -probe) {
              errors.add("pair " + probe + " of " + size + " read as (" + pairs.key(probe) + ", "
                  + pairs.value(probe) + ")");
            }
            int found = pairs.lastAtOrBefore(2L * probe + 1, size);
            if (found != probe) {
              errors.add("search for " + (2L * probe + 1) + " in " + size + " found " + found);
            }
          }
          checks++;
        }
      }));
    }
    for (int i = 0; i < 20 * PAIRS; i++) {
      pairs.append(2L * i, -i);
    }
    writing.set(false);
    for (Thread reader : readers) {
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertTrue(errors.isEmpty(), () -> "readers saw: " + errors.stream().limit(5).toList());
  }
}
