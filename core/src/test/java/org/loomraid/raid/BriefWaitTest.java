package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The brief wait before a caller parks: it ends when the round does, and gives up by itself. */
class BriefWaitTest {

  @Test
  void aRoundThatHasEndedIsNotWaitedFor() {
    AtomicInteger asked = new AtomicInteger();
    assertTrue(BriefWait.await(() -> asked.incrementAndGet() > 0));
    assertEquals(1, asked.get());
  }

  @Test
  void aVirtualThreadYieldsAFewTimesThenLeavesTheWaitToThePark() throws InterruptedException {
    AtomicInteger asked = new AtomicInteger();
    AtomicBoolean result = new AtomicBoolean(true);
    Thread.ofVirtual().start(() -> result.set(BriefWait.await(() -> {
      asked.incrementAndGet();
      return false;
    }))).join();
    assertFalse(result.get());
    assertEquals(BriefWait.YIELDS + 1, asked.get());
  }

  @Test
  void aPlatformThreadSpinsABoundedWhileAtMost() {
    long start = System.nanoTime();
    boolean done = BriefWait.await(() -> false);
    long took = System.nanoTime() - start;
    assertFalse(done);
    assertTrue(took < 1_000_000_000L, "a spin that never ends the round still ends: " + took);
  }
}
