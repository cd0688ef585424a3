package org.loomraid.jmh;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.loomraid.raid.FanOutKind;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.Storage;

/**
 * The write paths the benchmarks compare, each building its subject behind the same facade: a
 * {@link Storage}. Every path then runs the very same workload ({@link CommitWorkload}).
 *
 * <p>{@link #FLOOR} is no RAID at all: the transaction committed directly on one backend of the
 * same latency, the best any RAID could do. The RAID paths check, when they open, that the RAID
 * really runs their fan-out, and fail loudly otherwise rather than measure another path under
 * their name.
 */
enum CommitPath {
  /** One backend, no RAID. */
  FLOOR("auto", null) {
    @Override
    Storage open(List<StorageOpener> backends) {
      if (backends.size() != 1) {
        throw new IllegalArgumentException(
            "the floor has exactly one backend, not " + backends.size());
      }
      try {
        return backends.get(0).open();
      } catch (Exception e) {
        throw new IllegalStateException("the floor's backend did not open: " + e, e);
      }
    }
  },
  /** {@code WriteMode.SEQUENTIAL}: the backends one after another, the ancestor's behaviour. */
  SEQUENTIAL("auto", FanOutKind.SEQUENTIAL),
  /** {@code WriteMode.PARALLEL} on StructuredTaskScope (JDK 25 with {@code --enable-preview}). */
  PARALLEL_STRUCTURED("structured", FanOutKind.STRUCTURED_TASK_SCOPE),
  /** {@code WriteMode.PARALLEL} on plain virtual threads ({@code loomraid.fanout=threads}). */
  PARALLEL_THREADS("threads", FanOutKind.VIRTUAL_THREADS);

  private final String fanOutProperty;
  private final FanOutKind fanOutKind;

  CommitPath(String fanOutProperty, FanOutKind fanOutKind) {
    this.fanOutProperty = fanOutProperty;
    this.fanOutKind = fanOutKind;
  }

  /** Whether this path is one of the RAID's own (everything except the floor). */
  boolean isRaid() {
    return this != FLOOR;
  }

  /** Whether this path mirrors in parallel. */
  boolean isParallel() {
    return this == PARALLEL_STRUCTURED || this == PARALLEL_THREADS;
  }

  /** The value of {@code loomraid.fanout} that selects this path. */
  String fanOutProperty() {
    return fanOutProperty;
  }

  /** The fan-out a RAID on this path must report; null for the floor. */
  FanOutKind fanOutKind() {
    return fanOutKind;
  }

  /**
   * Builds the subject: {@code backends} memory storages, each answering every call after
   * {@code latency}, behind this path.
   *
   * @throws IllegalStateException if the RAID would run another fan-out than this path's
   */
  Storage open(int backends, Duration latency) {
    return open(RaidSubject.memoryBackends(Collections.nCopies(backends, latency)));
  }

  /**
   * Builds the subject over the given backends (exactly one for the floor).
   *
   * @throws IllegalStateException if the RAID would run another fan-out than this path's
   */
  Storage open(List<StorageOpener> backends) {
    return RaidSubject.open(this, backends, ReadPolicy.RANDOM);
  }
}
