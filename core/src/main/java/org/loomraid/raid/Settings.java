package org.loomraid.raid;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomraid.storage.TidGenerator;

/**
 * The validated settings of one RAID, as the builder collected them. Immutable. {@code hedgedReads}
 * and {@code metrics} are null when not set.
 */
record Settings(
    String name,
    Map<String, StorageOpener> backends,
    WriteMode writeMode,
    ReadPolicy readPolicy,
    Duration callTimeout,
    Duration commitLockTimeout,
    Duration openTimeout,
    Duration packTimeout,
    Redundancy redundancy,
    FailMode failMode,
    List<RaidListener> listeners,
    boolean autoRecover,
    long recoveryRateLimit,
    long scrubRateLimit,
    CommitQuorum commitQuorum,
    TidGenerator tids,
    HedgedReads hedgedReads,
    RaidMetrics metrics) {

  Settings {
    backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    listeners = List.copyOf(listeners);
  }
}
