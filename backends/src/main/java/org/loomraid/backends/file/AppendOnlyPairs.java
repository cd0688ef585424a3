package org.loomraid.backends.file;

import java.util.Arrays;

/**
 * An append-only sequence of (key, value) pairs of longs with non-decreasing keys, stored in
 * fixed-size chunks so that an append never copies what is already there: the index's history of
 * one object (serial, location) and its list of transactions (tid, unit offset).
 *
 * <p>Layout: the first {@value #CHUNK_PAIRS} pairs live in {@link #head}, which starts with room
 * for one pair and doubles (by copy) until it holds a whole chunk, so that a short history stays
 * small; every later pair goes into a chunk of {@value #CHUNK_PAIRS} pairs in {@link #tail}, whose
 * directory of chunk references doubles when full. An append therefore copies at most one chunk
 * (while the head grows) or a directory of references (one per {@value #CHUNK_PAIRS} pairs), never
 * the pairs of a long history: amortised O(1) per append and at most 8 KiB copied at once.
 *
 * <p>Memory: 16 bytes per pair, plus at most one partly filled chunk (the head's doubling leaves up
 * to half of it unused while the history is shorter than a chunk).
 *
 * <p>Threading: one writer at a time (the caller serialises appends); any number of lock-free
 * readers. The writer fills a slot, then publishes it by writing {@link #size} (volatile). A reader
 * reads {@code size} first and then the arrays, so every pair below the size it read is visible to
 * it, whatever the writer does meanwhile: a replaced head or directory holds the same pairs as
 * before, and slots below the size are never written again.
 */
final class AppendOnlyPairs implements SortedPairs {

  /** log2 of the pairs per chunk. */
  static final int CHUNK_SHIFT = 9;

  /** Pairs per chunk: 512, so a chunk is 8 KiB. */
  static final int CHUNK_PAIRS = 1 << CHUNK_SHIFT;

  private static final int CHUNK_MASK = CHUNK_PAIRS - 1;
  private static final long[][] NO_CHUNKS = new long[0][];

  /** Pairs {@code [0, min(size, CHUNK_PAIRS))}, interleaved key, value. */
  private volatile long[] head;

  /** Chunk {@code k} holds pairs {@code [(k + 1) * CHUNK_PAIRS, (k + 2) * CHUNK_PAIRS)}. */
  private volatile long[][] tail = NO_CHUNKS;

  /** The number of pairs published. */
  private volatile int size;

  /** Creates an empty sequence with room for {@code initialPairs} before the head grows. */
  AppendOnlyPairs(int initialPairs) {
    this.head = new long[2 * Math.max(1, Math.min(initialPairs, CHUNK_PAIRS))];
  }

  /** Creates a sequence holding one pair. */
  AppendOnlyPairs(long key, long value, int initialPairs) {
    this(initialPairs);
    head[0] = key;
    head[1] = value;
    size = 1;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long key(int i) {
    return i < CHUNK_PAIRS ? head[2 * i] : tail[(i >>> CHUNK_SHIFT) - 1][2 * (i & CHUNK_MASK)];
  }

  @Override
  public long value(int i) {
    return i < CHUNK_PAIRS ? head[2 * i + 1] : tail[(i >>> CHUNK_SHIFT) - 1][2 * (i & CHUNK_MASK) + 1];
  }

  /**
   * Appends a pair. Single writer.
   *
   * @throws IllegalStateException if the sequence already holds {@link Integer#MAX_VALUE} pairs
   */
  void append(long key, long value) {
    int n = size;
    if (n == Integer.MAX_VALUE) {
      throw new IllegalStateException("an index sequence cannot hold more than "
          + Integer.MAX_VALUE + " entries");
    }
    if (n < CHUNK_PAIRS) {
      long[] h = head;
      if (2 * n == h.length) {
        h = Arrays.copyOf(h, Math.min(2 * h.length, 2 * CHUNK_PAIRS));
      }
      h[2 * n] = key;
      h[2 * n + 1] = value;
      head = h;
    } else {
      int chunk = (n >>> CHUNK_SHIFT) - 1;
      long[][] t = tail;
      if (chunk == t.length) {
        t = Arrays.copyOf(t, Math.max(4, 2 * t.length));
        tail = t;
      }
      long[] c = t[chunk];
      if (c == null) {
        c = new long[2 * CHUNK_PAIRS];
        t[chunk] = c;
      }
      int slot = 2 * (n & CHUNK_MASK);
      c[slot] = key;
      c[slot + 1] = value;
    }
    size = n + 1;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The newest pair is checked first, so the common question (the current revision) is
   * answered in O(1); otherwise a binary search.
   */
  @Override
  public int lastAtOrBefore(long key, int visible) {
    if (visible == 0) {
      return -1;
    }
    if (key(visible - 1) <= key) {
      return visible - 1;
    }
    int low = 0;
    int high = visible - 2;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (key(mid) <= key) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * Returns the heap bytes this sequence holds (its arrays and itself), an estimate for reports:
   * 16-byte array headers and 4-byte references, as on a 64-bit JVM with compressed pointers.
   */
  @Override
  public long heapBytes() {
    long bytes = 24 + 16 + 8L * head.length;
    long[][] t = tail;
    bytes += 16 + 4L * t.length;
    for (long[] chunk : t) {
      if (chunk != null) {
        bytes += 16 + 8L * chunk.length;
      }
    }
    return bytes;
  }
}
