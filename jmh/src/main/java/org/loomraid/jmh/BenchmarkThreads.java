package org.loomraid.jmh;

import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the benchmarks create threads of their own (the RAID creates its threads itself):
 * named virtual threads whose uncaught exceptions are logged rather than lost.
 */
final class BenchmarkThreads {

  private static final Logger log = LoggerFactory.getLogger(BenchmarkThreads.class);

  private BenchmarkThreads() {}

  /** A factory of virtual threads named {@code prefix0}, {@code prefix1}, ... */
  static ThreadFactory virtual(String prefix) {
    return Thread.ofVirtual()
        .name(prefix, 0)
        .uncaughtExceptionHandler(
            (thread, e) -> log.error("benchmark thread {} failed", thread.getName(), e))
        .factory();
  }
}
