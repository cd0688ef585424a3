package org.loomraid.raid;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageInterruptedException;

/**
 * A backend for read tests: counts its loads, can take a set time per load (a simulated network,
 * changeable while the test runs), hold every load at a gate until the test opens it, and then
 * fail it.
 */
final class ReadProbe extends ForwardingStorage {

  private final AtomicInteger loads = new AtomicInteger();
  private volatile long delayNanos;
  private volatile CountDownLatch gate;
  private volatile RuntimeException failure;

  ReadProbe(Storage delegate) {
    super(delegate);
  }

  /** Makes every load take {@code delay} from now on. */
  ReadProbe delay(Duration delay) {
    delayNanos = delay.toNanos();
    return this;
  }

  /** Holds every load from now on until {@link #open()}. */
  ReadProbe close(RuntimeException thenFailWith) {
    gate = new CountDownLatch(1);
    failure = thenFailWith;
    return this;
  }

  /** Lets the held loads go on (to fail, if {@link #close} said so). */
  void open() {
    CountDownLatch held = gate;
    if (held != null) {
      held.countDown();
    }
  }

  /** Returns whether loads are being held. */
  boolean holding() {
    CountDownLatch held = gate;
    return held != null && held.getCount() > 0;
  }

  int loads() {
    return loads.get();
  }

  @Override
  public Revision load(Oid oid) {
    loads.incrementAndGet();
    CountDownLatch held = gate;
    try {
      if (held != null) {
        held.await();
      }
      long delay = delayNanos;
      if (delay > 0) {
        Thread.sleep(Duration.ofNanos(delay)); // the simulated latency is the behaviour under test
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException("load interrupted", e);
    }
    RuntimeException fail = failure;
    if (held != null && fail != null) {
      throw fail;
    }
    return super.load(oid);
  }
}
