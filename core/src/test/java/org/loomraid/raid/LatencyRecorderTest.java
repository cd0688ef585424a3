package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The latency recorder: its buckets cover every value once, in order; percentiles land within the
 * promised error of the exact ones; concurrent recording loses nothing; old intervals drop out.
 */
class LatencyRecorderTest {

  @Test
  void bucketsAreContiguousAndOrdered() {
    assertEquals(0, LatencyRecorder.index(0));
    assertEquals(0, LatencyRecorder.index(-5));
    for (int i = 1; i < LatencyRecorder.BUCKETS; i++) {
      long lowest = LatencyRecorder.lowest(i);
      assertTrue(lowest > LatencyRecorder.lowest(i - 1), "bucket " + i);
      assertEquals(i, LatencyRecorder.index(lowest), "lowest value of bucket " + i);
      assertEquals(i - 1, LatencyRecorder.index(lowest - 1), "the value below bucket " + i);
      long middle = LatencyRecorder.middle(i);
      assertEquals(i, LatencyRecorder.index(middle), "middle of bucket " + i);
    }
    assertEquals(LatencyRecorder.BUCKETS - 1, LatencyRecorder.index(Long.MAX_VALUE));
  }

  @Test
  void percentilesAreWithinTwoPercentOfTheExactOnes() {
    long seed = System.nanoTime();
    System.out.println("LatencyRecorderTest seed: " + seed);
    Random random = new Random(seed);
    LatencyRecorder recorder = new LatencyRecorder();
    long[] values = new long[20_000];
    for (int i = 0; i < values.length; i++) {
      // log-uniform from 1 us to 1 s, as backend calls spread
      values[i] = (long) Math.pow(10, 3 + random.nextDouble() * 6);
      recorder.record(values[i]);
    }
    Arrays.sort(values);
    LatencyRecorder.Snapshot snapshot = recorder.snapshot();
    assertEquals(values.length, snapshot.count());
    for (double p : new double[] {1, 50, 90, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      long reported = snapshot.valueAt(p);
      assertTrue(Math.abs(reported - exact) <= exact * 0.02,
          "p" + p + ": reported " + reported + ", exact " + exact + " (seed " + seed + ")");
    }
  }

  @Test
  void anEmptyWindowReportsZero() {
    LatencyRecorder.Snapshot empty = new LatencyRecorder().snapshot();
    assertEquals(0, empty.count());
    assertEquals(Duration.ZERO, empty.at(99));
  }

  @Test
  void concurrentRecordingLosesNothing() throws InterruptedException {
    LatencyRecorder recorder = new LatencyRecorder();
    int threads = 4;
    int each = 50_000;
    CountDownLatch go = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      long value = 1_000L * (t + 1);
      workers[t] = Thread.ofVirtual().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        for (int i = 0; i < each; i++) {
          recorder.record(value);
        }
      });
    }
    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    LatencyRecorder.Snapshot snapshot = recorder.snapshot();
    assertEquals((long) threads * each, snapshot.count());
    assertTrue(Math.abs(snapshot.valueAt(100) - 4_000) <= 80, "max " + snapshot.valueAt(100));
  }

  @Test
  void aWindowForgetsCallsTwoIntervalsOld() {
    AtomicLong clock = new AtomicLong();
    LatencyRecorder recorder = new LatencyRecorder(Duration.ofSeconds(30), clock::get);
    recorder.record(5_000);
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(1, recorder.snapshot().count(), "the interval just ended is still counted");
    recorder.record(7_000);
    recorder.record(7_000);
    assertEquals(3, recorder.snapshot().count());
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(2, recorder.snapshot().count(), "two intervals later the first call is gone");
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(0, recorder.snapshot().count());
  }
}
