package org.loomraid.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * An append-only list of elements with strictly increasing {@code long} keys, stored in chunks so
 * that an append never copies what is already there, and whose oldest elements can be dropped in
 * place: {@link MemoryStorage}'s history of one object (key: serial) and its list of transactions
 * (key: tid).
 *
 * <p><b>Layout.</b> The first {@value #CHUNK} elements live in the head chunk, which starts small
 * and doubles (by copy) until it is a whole chunk, so that a short history stays small; every later
 * element goes into a chunk of {@value #CHUNK} in the tail, whose directory of chunk references
 * doubles when full. An append copies at most one chunk or a directory of references (one per
 * {@value #CHUNK} elements), never the elements of a long history: amortised O(1). Keys are kept
 * inline next to the element references, so a search touches no element. Memory: 12 bytes per
 * element (a key and a reference) plus at most one partly filled chunk.
 *
 * <p><b>Dropping.</b> {@link #dropBefore} moves the {@link #start()} forward, then clears the
 * references it passed (so their elements can be collected) and releases every chunk wholly
 * before it. Keys stay until their chunk goes.
 *
 * <p><b>Threading.</b> One mutator at a time: the caller serialises {@link #append} and
 * {@link #dropBefore} (MemoryStorage runs both inside {@code ConcurrentHashMap.compute} for the
 * object). Any number of lock-free readers. A mutator fills a slot, then publishes it by writing
 * {@code size} (volatile); a reader reads {@code size} first, so every element below it is visible.
 * A drop writes {@code start} before it clears anything, and clears with release stores that
 * readers load with acquire: a reader that meets a cleared slot or chunk therefore sees the new
 * start when it reads it again, and retries from there.
 *
 * @param <E> the element type
 */
final class ChunkedHistory<E> {

  /** log2 of the elements per chunk. */
  static final int CHUNK_SHIFT = 9;

  /** Elements per chunk: 512. */
  static final int CHUNK = 1 << CHUNK_SHIFT;

  private static final int MASK = CHUNK - 1;

  /** What a search returns when it met a dropped chunk: the start moved meanwhile. */
  private static final int DROPPED = Integer.MIN_VALUE;
  private static final Chunk[] NO_CHUNKS = new Chunk[0];
  private static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(Chunk[].class);

  /** Keys and element references of one chunk, side by side. */
  private static final class Chunk {
    final long[] keys;
    final Object[] elements;

    Chunk(int capacity) {
      keys = new long[capacity];
      elements = new Object[capacity];
    }

    private Chunk(long[] keys, Object[] elements) {
      this.keys = keys;
      this.elements = elements;
    }

    Chunk grown(int capacity) {
      return new Chunk(Arrays.copyOf(keys, capacity), Arrays.copyOf(elements, capacity));
    }
  }

  /** Elements {@code [0, min(size, CHUNK))}; null once all of them are dropped. */
  private volatile Chunk head;

  /** Chunk {@code k} holds elements {@code [(k + 1) * CHUNK, (k + 2) * CHUNK)}; dropped ones are null. */
  private volatile Chunk[] tail = NO_CHUNKS;

  /** The number of elements ever appended and published. */
  private volatile int size;

  /** The first element not dropped. */
  private volatile int start;

  /** Creates an empty list with room for {@code initialCapacity} elements before it grows. */
  ChunkedHistory(int initialCapacity) {
    head = new Chunk(Math.max(1, Math.min(initialCapacity, CHUNK)));
  }

  /** Returns the number of elements ever appended (dropped ones included). */
  int size() {
    return size;
  }

  /** Returns the index of the first element not dropped. */
  int start() {
    return start;
  }

  /**
   * Appends an element whose key is greater than every key so far. One mutator at a time.
   *
   * @throws IllegalStateException if the list already holds {@link Integer#MAX_VALUE} elements
   */
  void append(long key, E element) {
    int n = size;
    if (n == Integer.MAX_VALUE) {
      throw new IllegalStateException("a history cannot hold more than " + Integer.MAX_VALUE
          + " entries");
    }
    Chunk chunk;
    int slot;
    if (n < CHUNK) {
      chunk = head;
      if (n == chunk.keys.length) {
        chunk = chunk.grown(Math.min(2 * n, CHUNK));
      }
      slot = n;
    } else {
      int index = (n >>> CHUNK_SHIFT) - 1;
      Chunk[] chunks = tail;
      if (index == chunks.length) {
        chunks = Arrays.copyOf(chunks, Math.max(4, 2 * chunks.length));
        tail = chunks;
      }
      chunk = chunks[index];
      if (chunk == null) {
        chunk = new Chunk(CHUNK);
        CHUNKS.setRelease(chunks, index, chunk);
      }
      slot = n & MASK;
    }
    chunk.keys[slot] = key;
    chunk.elements[slot] = element;
    if (n < CHUNK) {
      head = chunk;
    }
    size = n + 1;
  }

  /**
   * Drops every element before index {@code keepFrom}: the start moves there, their references
   * are cleared and chunks wholly before it released. Never drops the newest element. One mutator
   * at a time.
   *
   * @return how many elements were dropped
   * @throws IllegalArgumentException if {@code keepFrom} is not below the size
   */
  int dropBefore(int keepFrom) {
    int from = start;
    if (keepFrom <= from) {
      return 0;
    }
    if (keepFrom >= size) {
      throw new IllegalArgumentException("cannot drop up to " + keepFrom + " of " + size
          + " entries: the newest is always kept");
    }
    start = keepFrom;
    // Chunks wholly before keepFrom go at once; only the chunk keepFrom is in has its older
    // references cleared one by one, so a drop costs O(chunks + CHUNK), not O(dropped).
    if (keepFrom >= CHUNK) {
      head = null;
    }
    Chunk[] chunks = tail;
    for (int k = Math.max(0, (from >>> CHUNK_SHIFT) - 1); k < (keepFrom >>> CHUNK_SHIFT) - 1; k++) {
      CHUNKS.setRelease(chunks, k, (Chunk) null);
    }
    Chunk kept = chunkOf(keepFrom);
    for (int i = Math.max(from, keepFrom & ~MASK); i < keepFrom; i++) {
      ELEMENTS.setRelease(kept.elements, i & MASK, (Object) null);
    }
    return keepFrom - from;
  }

  /**
   * Returns the newest element whose key is {@code <= key}, or null if no element that is not
   * dropped has such a key. Lock-free. The newest element is checked first, so asking for the
   * current one is O(1); otherwise a binary search, O(log n).
   */
  E latestAtOrBefore(long key) {
    while (true) {
      int n = size;
      int from = start;
      int at = lastAtOrBefore(key, from, n);
      if (at == DROPPED) {
        continue;
      }
      if (at < from) {
        return null;
      }
      E element = elementAt(at);
      if (element != null) {
        return element;
      }
    }
  }

  /** Returns the element whose key is exactly {@code key}, or null. Lock-free, O(log n). */
  E exactly(long key) {
    while (true) {
      int n = size;
      int from = start;
      int at = lastAtOrBefore(key, from, n);
      if (at == DROPPED) {
        continue;
      }
      if (at < from) {
        return null;
      }
      Chunk chunk = chunkOf(at);
      if (chunk == null) {
        continue;
      }
      if (chunk.keys[at & MASK] != key) {
        return null;
      }
      E element = elementAt(at);
      if (element != null) {
        return element;
      }
    }
  }

  /**
   * Returns the index of the newest element with a key {@code <= key} among
   * {@code [from, to)}, or {@code from - 1} if there is none. For the single mutator (whose view
   * of the start cannot change under it) and for lists nothing is dropped from.
   */
  int indexAtOrBefore(long key, int from, int to) {
    int at = lastAtOrBefore(key, from, to);
    if (at == DROPPED) {
      throw new IllegalStateException("history changed under its only mutator");
    }
    return at;
  }

  /** Returns the key at index {@code i}, which must be live and below a size this thread read. */
  long keyAt(int i) {
    return chunkOf(i).keys[i & MASK];
  }

  /**
   * Returns the element at index {@code i} (below a size this thread read), or null if it was
   * dropped.
   */
  @SuppressWarnings("unchecked")
  E elementAt(int i) {
    Chunk chunk = chunkOf(i);
    return chunk == null ? null : (E) ELEMENTS.getAcquire(chunk.elements, i & MASK);
  }

  /** Returns an estimate of the heap bytes held by the list itself (not its elements). */
  long heapBytes() {
    long bytes = 32;
    Chunk h = head;
    if (h != null) {
      bytes += chunkBytes(h);
    }
    Chunk[] chunks = tail;
    bytes += 16 + 4L * chunks.length;
    for (Chunk chunk : chunks) {
      if (chunk != null) {
        bytes += chunkBytes(chunk);
      }
    }
    return bytes;
  }

  private static long chunkBytes(Chunk chunk) {
    return 24 + 16 + 8L * chunk.keys.length + 16 + 4L * chunk.elements.length;
  }

  /**
   * Binary search over {@code [from, to)}: the index of the newest key {@code <= key}, or
   * {@code from - 1} if there is none, or {@link #DROPPED} if it met a dropped chunk.
   */
  private int lastAtOrBefore(long key, int from, int to) {
    if (to <= from) {
      return from - 1;
    }
    Chunk newest = chunkOf(to - 1);
    if (newest == null) {
      return DROPPED;
    }
    if (newest.keys[(to - 1) & MASK] <= key) {
      return to - 1;
    }
    int low = from;
    int high = to - 2;
    int found = from - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      Chunk chunk = chunkOf(mid);
      if (chunk == null) {
        return DROPPED;
      }
      if (chunk.keys[mid & MASK] <= key) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** Returns the chunk holding index {@code i}, or null if it was dropped. */
  private Chunk chunkOf(int i) {
    if (i < CHUNK) {
      return head;
    }
    return (Chunk) CHUNKS.getAcquire(tail, (i >>> CHUNK_SHIFT) - 1);
  }
}
