package org.loomraid.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.loomraid.raid.FanOutKind;
import org.loomraid.raid.HedgedReads;
import org.loomraid.raid.RaidStatus;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.raid.StorageOpener;
import org.loomraid.raid.WriteMode;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.testing.LatencyStorage;

/**
 * Opens the RAIDs the benchmarks measure: backends (memory ones behind a simulated latency, or
 * files) mirrored on a chosen write path, and checked to really use that path.
 *
 * <p>The parallel path is chosen the documented way, through the system property
 * {@value RaidStorage#FAN_OUT_PROPERTY} read when a RAID opens. Deadlines are generous (a garbage
 * collection pause must never degrade a backend and so change what is measured), and
 * {@link #requireIntact(Storage)} checks after a run that no backend was lost.
 */
final class RaidSubject {

  /** The RAID's deadline per fan-out: far above any latency measured. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /** How long a commit may wait for the RAID's commit lock (1024 clients queue for it). */
  static final Duration COMMIT_LOCK_TIMEOUT = Duration.ofMinutes(5);

  private RaidSubject() {}

  /**
   * Opens a RAID on {@code path} over the given backends, named {@code b0}, {@code b1}, ...
   *
   * @throws IllegalArgumentException if {@code path} is the floor or there are no backends
   * @throws IllegalStateException if the RAID does not run the fan-out {@code path} names; the
   *     message says what this JVM lacks
   */
  static RaidStorage open(CommitPath path, List<StorageOpener> backends, ReadPolicy readPolicy) {
    return open(path, backends, readPolicy, null);
  }

  /**
   * Opens a RAID as {@link #open(CommitPath, List, ReadPolicy)} does, hedging its reads as
   * {@code hedging} says (null: not at all).
   */
  static RaidStorage open(CommitPath path, List<StorageOpener> backends, ReadPolicy readPolicy,
      HedgedReads hedging) {
    if (!path.isRaid()) {
      throw new IllegalArgumentException("the floor is not a RAID");
    }
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("a RAID needs at least one backend");
    }
    RaidStorage.Builder builder = RaidStorage.builder("bench")
        .writeMode(path == CommitPath.SEQUENTIAL ? WriteMode.SEQUENTIAL : WriteMode.PARALLEL)
        .readPolicy(readPolicy)
        .callTimeout(CALL_TIMEOUT)
        .commitLockTimeout(COMMIT_LOCK_TIMEOUT);
    if (hedging != null) {
      builder.hedgedReads(hedging);
    }
    for (int i = 0; i < backends.size(); i++) {
      builder.backend("b" + i, backends.get(i));
    }
    RaidStorage raid = openWithFanOut(builder, path.fanOutProperty());
    if (raid.fanOutKind() != path.fanOutKind()) {
      FanOutKind actual = raid.fanOutKind();
      raid.close();
      throw new IllegalStateException(path + " must run the " + path.fanOutKind()
          + " fan-out, but the RAID opened with " + actual + " on " + Runtime.version());
    }
    return raid;
  }

  /** A memory backend behind {@code latency} (no wrapper at all when it is zero). */
  static Storage memoryBackend(String name, Duration latency) {
    MemoryStorage storage = MemoryStorage.create(name);
    return latency.isZero() ? storage : LatencyStorage.fixed(storage, latency);
  }

  /** Openers of memory backends, one per latency; each opening starts empty. */
  static List<StorageOpener> memoryBackends(List<Duration> latencies) {
    List<StorageOpener> openers = new ArrayList<>(latencies.size());
    for (int i = 0; i < latencies.size(); i++) {
      String name = "b" + i;
      Duration latency = latencies.get(i);
      openers.add(() -> memoryBackend(name, latency));
    }
    return openers;
  }

  /**
   * Fails if {@code subject} is a RAID that lost a backend while it was measured: its numbers
   * would then be of fewer backends than claimed.
   */
  static void requireIntact(Storage subject) {
    if (subject instanceof RaidStorage raid && raid.status() != RaidStatus.OPTIMAL) {
      throw new IllegalStateException("the RAID was " + raid.status()
          + " after the run, so its figures do not describe the configuration: " + raid.backends());
    }
  }

  /**
   * Collects the garbage a closed subject left, between iterations and outside the measured time,
   * so that one iteration's history is not collected during the next one's samples. (JMH's own
   * {@code -gc true} does this too, but then waits half a second per iteration for the collector
   * to settle, which would cost the comparison a minute.)
   */
  static void collectGarbage() {
    System.gc();
  }

  /**
   * Whether this JVM runs the StructuredTaskScope fan-out when left to choose, as a RAID opened
   * here (or in a JMH fork with the same options) would.
   *
   * @return empty if it does, else why not
   */
  static Optional<String> structuredUnavailableReason() {
    RaidStorage.Builder builder = RaidStorage.builder("probe")
        .backend("probe", () -> MemoryStorage.create("probe"));
    try (RaidStorage raid = openWithFanOut(builder, "auto")) {
      if (raid.fanOutKind() == FanOutKind.STRUCTURED_TASK_SCOPE) {
        return Optional.empty();
      }
      return Optional.of("a RAID opened in this JVM (" + Runtime.version() + ") runs the "
          + raid.fanOutKind() + " fan-out; StructuredTaskScope needs JDK 25 started with "
          + "--enable-preview, and the benchmark jar's multi-release view of release 25");
    }
  }

  /** Opens with the fan-out property set as given, restoring its previous value afterwards. */
  private static RaidStorage openWithFanOut(RaidStorage.Builder builder, String fanOut) {
    String previous = System.getProperty(RaidStorage.FAN_OUT_PROPERTY);
    System.setProperty(RaidStorage.FAN_OUT_PROPERTY, fanOut);
    try {
      return builder.open();
    } finally {
      if (previous == null) {
        System.clearProperty(RaidStorage.FAN_OUT_PROPERTY);
      } else {
        System.setProperty(RaidStorage.FAN_OUT_PROPERTY, previous);
      }
    }
  }
}
