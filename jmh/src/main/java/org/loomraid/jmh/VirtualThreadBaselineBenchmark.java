package org.loomraid.jmh;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The control for {@link FanOutBenchmark}: what the JDK itself charges for "one virtual thread per
 * backend per phase", with no RAID at all. The caller starts {@code threads} virtual threads that
 * do nothing but count down a latch, and waits for the latch, as a fan-out waits for its slots.
 * A fan-out phase cannot cost less than this on the same machine; the difference is the RAID's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class VirtualThreadBaselineBenchmark {

  /** The threads started and joined. */
  private static final ThreadFactory BASELINE_THREADS =
      BenchmarkThreads.virtual("bench-baseline-");

  /** Virtual threads started per invocation, as a fan-out starts one per backend. */
  @Param({"1", "3", "8"})
  public int threads;

  /** Starts {@code threads} virtual threads and waits until each has run. */
  @Benchmark
  public long startAndJoin() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(threads);
    for (int i = 0; i < threads; i++) {
      BASELINE_THREADS.newThread(done::countDown).start();
    }
    done.await();
    return done.getCount();
  }
}
