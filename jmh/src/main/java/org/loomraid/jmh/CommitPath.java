package org.loomraid.jmh;

import java.time.Duration;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;

/**
 * The write paths the benchmarks compare, each building its subject behind the same facade: a
 * {@link Storage}. Every path then runs the very same workload ({@link CommitWorkload}).
 *
 * <p>{@link #FLOOR} is no RAID at all: the transaction committed directly on one backend of the
 * same latency, the best any RAID could do.
 */
enum CommitPath {
  /** One backend, no RAID. */
  FLOOR {
    @Override
    Storage open(int backends, Duration latency) {
      if (backends != 1) {
        throw new IllegalArgumentException("the floor has exactly one backend, not " + backends);
      }
      return MemoryStorage.create("floor");
    }
  },
  /** Sequential mirroring (the engine is merged next). */
  SEQUENTIAL {
    @Override
    Storage open(int backends, Duration latency) {
      throw new IllegalStateException("the RAID engine is not built yet");
    }
  },
  /** Parallel mirroring on StructuredTaskScope. */
  PARALLEL_STRUCTURED {
    @Override
    Storage open(int backends, Duration latency) {
      throw new IllegalStateException("the RAID engine is not built yet");
    }
  },
  /** Parallel mirroring on plain virtual threads. */
  PARALLEL_THREADS {
    @Override
    Storage open(int backends, Duration latency) {
      throw new IllegalStateException("the RAID engine is not built yet");
    }
  };

  /**
   * Whether this JVM runs the StructuredTaskScope fan-out; if not, why.
   *
   * @return empty if it does, else the reason it does not
   */
  static java.util.Optional<String> structuredUnavailableReason() {
    return java.util.Optional.of("the RAID engine is not built yet");
  }

  /** Whether this path is one of the RAID's own (everything except the floor). */
  boolean isRaid() {
    return this != FLOOR;
  }

  /** Whether this path mirrors in parallel. */
  boolean isParallel() {
    return this == PARALLEL_STRUCTURED || this == PARALLEL_THREADS;
  }

  /**
   * Builds the subject: {@code backends} memory storages, each answering every call after
   * {@code latency}, behind this path. Fails loudly if the running JVM would silently take
   * another path than this one.
   */
  abstract Storage open(int backends, Duration latency);
}
