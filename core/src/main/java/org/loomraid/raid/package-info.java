/**
 * The RAID engine: {@link org.loomraid.raid.RaidStorage} mirrors every commit onto N backend
 * storages, takes a backend that fails, hangs or disagrees out of service, and carries on with
 * the rest; {@link org.loomraid.raid.RaidAdmin} brings it back online while writers continue.
 *
 * <h2>Priorities, in order</h2>
 * <ol>
 *   <li>No acknowledged commit is lost while one optimal backend survives, and every optimal
 *       backend holds the same history.</li>
 *   <li>Only a broken backend leaves service, and every outcome is reported as what it is.</li>
 *   <li>A misbehaving backend costs callers at most one deadline, once: it is degraded and its
 *       thread abandoned, never waited for.</li>
 *   <li>Speed: one virtual thread per backend per phase, one deadline per call, no per-call
 *       executors; reads and transaction phases of a backend that never blocks run on the caller's
 *       thread.</li>
 * </ol>
 *
 * <h2>The outcome model</h2>
 * Every slot of a fan-out (one call to one backend) ends in exactly one outcome, classified in one
 * place and read in one place:
 * <dl>
 *   <dt>answer</dt>
 *   <dd>a {@link org.loomraid.storage.StorageException} (conflict, not found, stale tid, commit lock
 *       timeout, id space exhausted): the backend is healthy and said "no".</dd>
 *   <dt>caller error</dt>
 *   <dd>{@link java.lang.IllegalArgumentException} (among them
 *       {@link org.loomraid.storage.LimitExceededException}) or
 *       {@link java.lang.NullPointerException}: the request itself is invalid. The RAID checks what
 *       it can before any fan-out (the id ranges, and every transaction against the strictest
 *       {@link org.loomraid.storage.StorageLimits} of its backends), so the common case never
 *       reaches a backend.</dd>
 *   <dt>failure</dt>
 *   <dd>anything else the backend threw: it is broken, and leaves service.</dd>
 *   <dt>no response</dt>
 *   <dd>it was called and did not end within its deadline: it leaves service, except when no slot
 *       of a fan-out of two or more ended in time (below).</dd>
 *   <dt>not reached</dt>
 *   <dd>its thread never got to call the backend before the RAID gave up on it: the JVM was too
 *       busy. Not the backend's failure.</dd>
 *   <dt>in doubt</dt>
 *   <dd>the backend threw {@link org.loomraid.storage.CommitOutcomeUnknownException}: it does not
 *       know whether its commit happened. It leaves service (recovery sorts out what it holds).</dd>
 *   <dt>the RAID's own error</dt>
 *   <dd>the RAID's code inside the slot threw: its bug or the caller's error, rethrown, never
 *       blamed on the backend. A {@link java.lang.VirtualMachineError} likewise.</dd>
 * </dl>
 * Rules that follow:
 * <ul>
 *   <li>Answers and caller errors vote (grouped by exception class and subject); a request every
 *       backend refuses alike is an answer about the request: it goes to the caller, nobody is
 *       degraded. A backend outside the winning group is degraded ("inconsistent result").</li>
 *   <li>A fan-out of two or more in which no slot ended in time, or one in which the JVM did not get
 *       to run a slot at all, is <em>overloaded</em>: nobody is degraded and the caller gets
 *       {@link org.loomraid.raid.RaidOverloadedException} (nothing was done), or for a commit
 *       {@link org.loomraid.storage.CommitOutcomeUnknownException}.</li>
 *   <li>Each slot's deadline starts when its thread starts calling, so a thread the JVM starts late
 *       still gets its full time (up to twice the call timeout after launch, ten times for a
 *       commit).</li>
 *   <li>An outcome is attributed to the backend instance that produced it: a failure of an instance
 *       retired since (closed, replaced by a recovery) never touches its successor.</li>
 *   <li>A backend busy with the RAID's own pack is never degraded for it: a pack holds the RAID
 *       commit lock, so writes wait for it (or are refused with a
 *       {@link org.loomraid.storage.CommitLockTimeoutException} that names the pack).</li>
 * </ul>
 *
 * <h2>What the caller of a commit is told</h2>
 * After the commit fan-out, the transaction is on every backend that applied it, and the RAID's
 * last tid advances as soon as one did. Then, by the {@link org.loomraid.raid.CommitQuorum}:
 * <ul>
 *   <li><b>acknowledged</b> (the tid is returned): as many backends applied it as the quorum asks
 *       (one, by default; a majority of the configured backends with
 *       {@code CommitQuorum.MAJORITY});</li>
 *   <li><b>in doubt</b> ({@code CommitOutcomeUnknownException} with the tid): fewer applied it, or
 *       some may have (no response, or the backend did not know); resolve it by asking the RAID for
 *       the tid ({@code loadSerial}, or {@code transactions} from just before it) once its
 *       backends are back;</li>
 *   <li><b>not committed</b>: a {@link org.loomraid.raid.RaidException} (closed, read-only,
 *       overloaded, or "no backend applied"), when no backend applied it and none may have.</li>
 * </ul>
 * A commit that no backend of two or more answered is recorded as in doubt without degrading
 * anyone, and is resolved before the next write (or promotion) under the commit lock: every
 * optimal backend is asked whether it holds the tid, and the largest agreeing group decides. A
 * commit in doubt that lands only on a backend already out of service leaves that backend holding
 * a transaction the RAID went on without: its recovery is refused, naming the tid, and the operator
 * wipes the backend and recovers it from scratch.
 *
 * <h2>Threading model</h2>
 * Every method may be called from any thread. Each fan-out runs one call per backend, each on its
 * own virtual thread named {@code loomraid-<raid>-<backend>} (all threads are created in one place,
 * {@code RaidThreads}); reads of a backend whose reads never block
 * ({@link org.loomraid.storage.Storage#readsNeverBlock()}), and the phases of a transaction (begin,
 * stores and vote; commit; abort) on a backend whose transactions never block
 * ({@link org.loomraid.storage.Storage#transactionsNeverBlock()}), run on the caller's thread
 * instead, as no deadline is at risk there; the caller's interrupt status is put aside meanwhile,
 * so a backend never sees it. That a vote on such a backend never waits rests on two rules the RAID
 * keeps: it is the only writer of the instances its openers return (nothing else may write to a
 * backend), and it ends every transaction it began on such a backend, also one it gives up, on the
 * caller's thread before the caller is answered. The caller waits, for at most the slots' deadlines
 * ({@link org.loomraid.raid.RaidStorage.Builder#callTimeout}); the wait is not interruptible, as it
 * is bounded; an interrupt is restored when it returns. A backend call still running at its
 * deadline is interrupted, counted as no response, and its thread abandoned: tracked and logged
 * until it ends, never joined. With {@code StructuredTaskScope} a coordinator virtual thread owns
 * the scope, so that the scope's {@code close()}, which waits for subtasks deaf to interrupts, can
 * never hold the caller; it forks a subtask for every backend but one, whose call it makes itself
 * (it is named for that backend). In {@code SEQUENTIAL} mode each backend gets its own deadline in turn, so
 * a hung backend costs one deadline and the write goes on to the others. A degraded backend is
 * closed on its own thread. Listeners are called on the thread that caused the transition, after
 * the state lock is released. Nothing blocks while holding {@code synchronized}.
 *
 * <h2>Structure</h2>
 * {@code RaidStorage} is a facade over components with one job each, handed whole to the helpers
 * as an {@code Engine}: {@code Lifecycle} (open, writable, closed; the close gate),
 * {@code CommitGate} (the RAID commit lock and the position of the history), {@code Roster} (the
 * backends and their states), {@code Supervisor} (transitions, the fail mode), {@code Dispatcher}
 * (runs fan-outs and applies their {@code Verdict}s), {@code ReadRouter}, {@code OidAllocator},
 * {@code Recovery} and {@code Scrub}, explicit phase machines, and {@code Scrubber} (one scrub at a
 * time, and where the last one stopped).
 *
 * <h2>Recovery: guarantees and locking</h2>
 * {@link org.loomraid.raid.RaidAdmin#recover} runs on its own virtual thread while the backend is
 * RECOVERING (no client traffic). It verifies the target's existing history against an optimal
 * source (tid, metadata and data; a target that diverges or is ahead is refused, naming the first
 * differing tid), then copies only what is missing with {@code restore}, in bounded batches,
 * without the RAID commit lock, so writers keep committing; the optional rate limit waits between
 * batches, never under the lock. It catches up until the lag is small. The last step takes the RAID
 * commit lock: copy the rest (one bounded batch; if more is left it lets go and catches up again),
 * align the target's OID counter, make it OPTIMAL. Because every commit holds the same lock from
 * vote to commit, no commit can fall between the last copy and the promotion. A source that fails
 * or is slow is left to its own clients (a recovery never degrades its source) and another optimal
 * source takes over; with none left the recovery fails with the reason. What was copied stays, so a
 * retry continues from there. A cancel (also by {@code disable}, {@code remove} and {@code close})
 * takes effect at the next step, including while the last step waits for the lock. A recovery that
 * ends without promoting closes the instance it opened. With no optimal backend left at all (a
 * RAID failed read-only), a backend whose history holds everything the RAID acknowledged is brought
 * back without a source. A pack and a recovery never overlap; a backend that missed a pack is packed
 * to the RAID's pack horizon before it is promoted (after a restart of the RAID the horizon is
 * forgotten: pack again).
 *
 * <h2>Scrub: guarantees and locking</h2>
 * {@link org.loomraid.raid.RaidAdmin#scrub(org.loomraid.raid.ScrubOptions)} runs on its own virtual
 * thread and compares the backends that are optimal when it starts, up to the RAID's
 * <em>settled</em> tid then (the last commit that has reached every backend it went to), so writers
 * committing meanwhile never interfere and are never held: a scrub never takes the RAID commit lock.
 * It reads each backend's history in bounded steps (one virtual thread per backend, the call
 * timeout, a batch per step; its own rate limit between steps) and compares tid, metadata and data,
 * transaction by transaction. A backend outside a strict majority of identical content is taken out
 * of service, "diverged at &lt;tid&gt;, &lt;oid&gt;: …", and with repair recovered from the
 * majority: a recovery verifies the reopened backend against an optimal one from the start, so it
 * heals what a reopened instance no longer serves wrong and refuses, naming the tid, a backend whose
 * stored history differs (wipe it, then recover it). Two backends that differ have no majority:
 * reported, nothing changed. Records a pack dropped from some backends only (each holds a later
 * revision of the object) are not a divergence. A backend that leaves service or is replaced during
 * a scrub leaves the comparison; one that fails a scrub read leaves service, as for any read. A
 * scrub and a pack never overlap (a scrub waits for a running pack; a pack is refused while a scrub
 * runs); recoveries run alongside. A cancelled or failed scrub is resumed by the next one after the
 * last transaction it compared (kept in memory while the RAID is open); closing the RAID cancels
 * it.
 *
 * <h2>Locks and their order</h2>
 * maintenance lock → close gate → RAID commit lock → OID lock → promotion lock → state lock; the
 * scrub lock is a leaf. What each guards is in {@code docs/lock-order.md}. Reads take no lock: they use an immutable snapshot
 * of the optimal backends.
 *
 * <h2>Reads</h2>
 * A read goes to one optimal backend chosen by the {@link org.loomraid.raid.ReadPolicy}:
 * {@code RANDOM}, {@code ROUND_ROBIN}, or {@code LEAST_LATENCY} (the faster of two drawn at random
 * by a time-decayed mean of their read latencies, with a probe of each backend left alone for half
 * a second). With {@link org.loomraid.raid.HedgedReads} a read its backend has not answered within
 * a delay (fixed, or a recent percentile of all reads) is sent to a second backend too, within a
 * budget of a fraction of reads; each call is judged by the outcome model on its own, the first
 * answer wins, the caller waits at most until the first call's deadline, and a call still running
 * is left to a watcher thread that judges it when it ends or reaches its own deadline.
 *
 * <h2>Events and metrics</h2>
 * The RAID emits JFR events ({@code jdk.jfr}): {@code org.loomraid.Commit} (one transaction: raid,
 * tid, backends, applied, lock wait, vote and commit time, outcome), {@code org.loomraid.SlotOutcome}
 * (one backend call of a fan-out or read: raid, backend, operation, stage, outcome, call duration),
 * {@code org.loomraid.BackendTransition} (raid, backend, from, to, reason),
 * {@code org.loomraid.RecoveryProgress} (at each phase and batch: phase, transactions and bytes
 * copied of total, rate), {@code org.loomraid.HedgedRead} (first and second backend, which
 * answered, delay) and {@code org.loomraid.ScrubProgress} (phase, transactions and bytes compared
 * of total, rate). An event no recording asks for costs one check and builds nothing. A
 * {@link org.loomraid.raid.RaidMetrics} set on the builder receives every backend call (duration,
 * failed or not) on the calling thread and reads each backend's lag on demand; without one nothing
 * is called. Each backend also keeps the latency of its last 30 to 60 seconds of calls in a
 * lock-free log-linear histogram (one atomic increment per call), for the p50 and p99 of
 * {@link org.loomraid.raid.BackendInfo}.
 *
 * <h2>Management</h2>
 * {@link org.loomraid.raid.RaidAdmin} shows status and per-backend details (state, reason, last
 * tid, lag, recovery progress, calls, failures, mean, maximum, p50 and p99 latency) and carries
 * out disable, recover, add, remove and scrub; each is checked and applied atomically, and refused
 * with a clear message if unknown,
 * illegal or fatal to the minimum redundancy. The same view is the JMX MXBean
 * {@code org.loomraid:type=Raid,name=<raid>} ({@link org.loomraid.raid.RaidMXBean}), registered
 * while the RAID is open; if JMX is unavailable the RAID works on without it.
 *
 * <h2>Exceptions</h2>
 * <ul>
 *   <li>An agreed {@link org.loomraid.storage.StorageException} or caller error reaches the caller
 *       unchanged, with every backend still in service.</li>
 *   <li>{@link org.loomraid.storage.CommitOutcomeUnknownException}: a commit in doubt, with its
 *       tid.</li>
 *   <li>{@link org.loomraid.raid.RaidClosedException}: the RAID is closed (by its user or by
 *       {@link org.loomraid.raid.FailMode#CLOSE}). It is a
 *       {@link org.loomraid.storage.StorageClosedException}, as a closed storage's must be.</li>
 *   <li>{@link org.loomraid.raid.RaidReadOnlyException}: a write to a RAID that lost its minimum
 *       redundancy under {@link org.loomraid.raid.FailMode#READ_ONLY}.</li>
 *   <li>{@link org.loomraid.raid.RaidOverloadedException}: the RAID could not get its own work
 *       done in time; nothing was done and nobody degraded.</li>
 *   <li>{@link org.loomraid.raid.RaidException}: other errors of the RAID itself, such as no
 *       backend left to serve a read, or none working at startup. RAID exceptions are deliberately
 *       not storage answers: to an outer RAID, an inner RAID's error is a failure.</li>
 * </ul>
 */
package org.loomraid.raid;
