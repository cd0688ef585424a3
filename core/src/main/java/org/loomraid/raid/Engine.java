package org.loomraid.raid;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The state of one RAID, handed whole to the helpers that work on it (transactions, startup,
 * recovery, administration), each component with one job: the settings, the threads, the backends
 * and their states, the lifecycle, the commit gate, the fan-outs, OID allocation and reads.
 *
 * @param settings the validated settings
 * @param threads where every thread of the RAID is created
 * @param roster the backends and their states
 * @param supervisor carries out transitions and the fail mode
 * @param lifecycle open, writable or closed, and the close gate
 * @param gate the RAID commit lock and the position of the history
 * @param dispatcher runs fan-outs and applies their verdicts
 * @param oids allocates object ids across the backends
 * @param reads serves reads from one backend at a time
 * @param maintenance keeps pack apart from recovery and scrub: they hold it shared, a pack
 *     exclusively
 * @param scrubber runs one scrub at a time and remembers where the last one stopped
 */
record Engine(
    Settings settings,
    RaidThreads threads,
    Roster roster,
    Supervisor supervisor,
    Lifecycle lifecycle,
    CommitGate gate,
    Dispatcher dispatcher,
    OidAllocator oids,
    ReadRouter reads,
    ReentrantReadWriteLock maintenance,
    Scrubber scrubber) {

  /** Returns the RAID's name. */
  String name() {
    return settings.name();
  }
}
