package org.loomraid.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The heap a structure holds, measured the plain way: heap in use after a full collection, before
 * and after the structure exists. Needs no agent; accurate to a few hundred kilobytes, which is
 * noise next to the hundreds of megabytes an index of a million revisions is measured against.
 */
final class HeapMeter {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private HeapMeter() {}

  /** Returns the bytes of heap in use after collecting garbage until the figure settles. */
  static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      System.gc();
      long now = MEMORY.getHeapMemoryUsage().getUsed();
      if (now >= used - 64 * 1024) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }
}
