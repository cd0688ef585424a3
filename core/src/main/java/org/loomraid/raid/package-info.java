/**
 * The RAID engine: {@link org.loomraid.raid.RaidStorage} mirrors every commit onto N backend
 * storages, takes a backend that fails, hangs or disagrees out of service, and carries on with
 * the rest; {@link org.loomraid.raid.RaidAdmin} brings it back online while writers continue.
 *
 * <h2>Priorities, in order</h2>
 * <ol>
 *   <li>No acknowledged commit is lost while one optimal backend survives, and every optimal
 *       backend holds the same history.</li>
 *   <li>A misbehaving backend costs callers at most one deadline, once: it is degraded and its
 *       thread abandoned, never waited for.</li>
 *   <li>Speed: one virtual thread per backend per phase, one deadline per fan-out, no per-call
 *       executors.</li>
 * </ol>
 *
 * <h2>Threading model</h2>
 * Every method may be called from any thread. Each fan-out runs one call per backend, each on its
 * own virtual thread named {@code loomraid-<raid>-<backend>} (all threads are created in one place,
 * {@code RaidThreads}); the caller waits once, for at most the fan-out's single deadline
 * ({@link org.loomraid.raid.RaidStorage.Builder#callTimeout}). The wait is not interruptible, as it
 * is bounded; an interrupt is restored when it returns. A backend call still running at the deadline
 * is interrupted, counted as no response, and its thread abandoned: tracked and logged until it
 * ends, never joined. With {@code StructuredTaskScope} a coordinator virtual thread owns the scope,
 * so that the scope's {@code close()}, which waits for subtasks deaf to interrupts, can never hold
 * the caller. Reads run on one virtual thread under the same deadline. A degraded backend is closed
 * on its own thread. Listeners are called on the thread that caused the transition, after the
 * state lock is released (a degradation during a vote or commit is reported while that transaction
 * still holds the commit lock). Nothing blocks while holding {@code synchronized}.
 *
 * <h2>Recovery: guarantees and locking</h2>
 * {@link org.loomraid.raid.RaidAdmin#recover} runs on its own virtual thread while the backend is
 * RECOVERING (no client traffic). It verifies the target's existing history against an optimal
 * source (tid, metadata and data; a target that diverges or is ahead is refused, naming the first
 * differing tid), then copies only what is missing with {@code restore}, in bounded batches,
 * without the RAID commit lock, so writers keep committing; it catches up repeatedly until the lag
 * is at most a small number of transactions. The last step takes the RAID commit lock: copy the
 * rest, align the target's OID counter with the RAID's, make it OPTIMAL. Because every commit
 * holds the same lock from vote to commit, no commit can fall between the last copy and the
 * promotion, and none is copied twice (restore refuses a tid not after the target's last). Writers
 * wait only for that step; the lock is never held while verifying or bulk-copying. A source that
 * fails is degraded and the next optimal backend takes over (after verifying the target against
 * it). Any other failure, or a cancel, leaves the target DEGRADED with the reason; what was copied
 * stays, so a retry verifies it and continues from there. A pack and a recovery never overlap: a
 * recovery waits for a running pack, and a pack is refused while a recovery runs. The target is
 * copied from a packed source as the source is; a backend that was out of service during a pack
 * keeps the records the pack dropped (verification accepts that).
 *
 * <h2>Locks and their order</h2>
 * Always taken in this order, never the other way:
 * <ol>
 *   <li><b>The maintenance lock</b> (a {@code ReentrantReadWriteLock}): every running recovery
 *       holds it shared for its whole run; {@code pack()} takes it exclusively, without waiting,
 *       so a pack is refused while a recovery runs.</li>
 *   <li><b>The close gate</b> (a {@code ReentrantReadWriteLock}): each write phase holds it shared
 *       (never waiting); {@code close()} takes it exclusively, waiting at most the call timeout,
 *       so that running phases finish before the backends close.</li>
 *   <li><b>The RAID commit lock</b> (a fair {@code Semaphore}, because vote and commit may run on
 *       different threads): serialises transactions from {@code vote()} to {@code commit()} or
 *       {@code abort()}, {@code restore()}, and the promotion of a recovered backend. Acquired with a bounded wait
 *       ({@link org.loomraid.raid.RaidStorage.Builder#commitLockTimeout}); released by whichever
 *       thread ends the transaction. Held across the client's time between vote and commit.</li>
 *   <li><b>The OID lock</b> (a {@code ReentrantLock}): serialises fan-outs that move the backends'
 *       OID counters ({@code newOid()}, {@code reserveOids()}, and the vote and commit fan-outs of a
 *       transaction that stores an object id above every one known), so that every backend sees
 *       them in the same order. Held for one fan-out at a time, so waits are bounded by the
 *       deadline.</li>
 *   <li><b>The state lock</b> (a {@code ReentrantLock} in {@code Roster}): guards backend states
 *       and membership. Innermost; held only for in-memory updates, never while calling a backend,
 *       logging or calling a listener.</li>
 * </ol>
 * Reads take no lock: they use an immutable snapshot of the optimal backends.
 *
 * <h2>Management</h2>
 * {@link org.loomraid.raid.RaidAdmin} shows status and per-backend details (state, reason, last
 * tid, lag, recovery progress, calls, failures, latency) and carries out disable, recover, add and
 * remove; each is checked and applied atomically, and refused with a clear message if unknown,
 * illegal or fatal to the minimum redundancy. The same view is the JMX MXBean
 * {@code org.loomraid:type=Raid,name=<raid>} ({@link org.loomraid.raid.RaidMXBean}), registered
 * while the RAID is open; if JMX is unavailable the RAID works on without it.
 *
 * <h2>Votes</h2>
 * Outcomes of a fan-out are grouped: successes by value, answers by exception class and subject
 * (the conflicting object, the missing object, the stale tid). The largest group wins; a tie goes
 * to the group holding the earliest-configured backend. So three backends answering three
 * different ways follow the first-configured backend and degrade the other two; two backends
 * disagreeing 1:1 follow the first-configured one. Failures (errors, no answer in time) never vote.
 *
 * <h2>Exceptions</h2>
 * <ul>
 *   <li>An agreed {@link org.loomraid.storage.StorageException} (conflict, not found, stale tid,
 *       commit lock timeout) reaches the caller unchanged, with every backend still in service.</li>
 *   <li>{@link org.loomraid.raid.RaidClosedException}: the RAID is closed (by its user or by
 *       {@link org.loomraid.raid.FailMode#CLOSE}). It is a
 *       {@link org.loomraid.storage.StorageClosedException}, as a closed storage's must be.</li>
 *   <li>{@link org.loomraid.raid.RaidReadOnlyException}: a write to a RAID that lost its minimum
 *       redundancy under {@link org.loomraid.raid.FailMode#READ_ONLY}.</li>
 *   <li>{@link org.loomraid.raid.RaidException}: other errors of the RAID itself, such as no
 *       backend left to serve a read, or none working at startup. RAID exceptions are deliberately
 *       not storage answers: to an outer RAID, an inner RAID's error is a failure.</li>
 *   <li>{@link java.lang.IllegalArgumentException} / {@link java.lang.NullPointerException} for bad
 *       arguments, checked before any backend is called.</li>
 * </ul>
 */
package org.loomraid.raid;
