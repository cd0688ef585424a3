package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageLimits;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RAID-1 over N backend storages: one storage to its user, every committed transaction mirrored
 * onto every optimal backend. A {@code RaidStorage} is itself a {@link Storage}, so it can be the
 * backend of another RAID or be served over the network.
 *
 * <pre>{@code
 * RaidStorage raid = RaidStorage.builder("main")
 *     .backend("a", () -> MemoryStorage.create("a"))
 *     .backend("b", () -> MemoryStorage.create("b"))
 *     .callTimeout(Duration.ofSeconds(5))
 *     .open();
 * }</pre>
 *
 * <h2>Writes</h2>
 * {@link #begin} returns a transaction that only buffers stores, checked against the strictest
 * {@link #limits()} of the backends. Its {@code vote()} takes the RAID commit lock (bounded by
 * {@link Builder#commitLockTimeout}), chooses the tid, and fans out to every optimal backend at
 * once: each, on its own virtual thread, begins a transaction under that tid, stores everything
 * and votes, each call bounded by one deadline ({@link Builder#callTimeout}). The outcomes are
 * voted (the largest group of equal outcomes wins, ties go to the earliest-configured backend);
 * every backend outside the winning group, and every backend that failed or did not answer in time,
 * is degraded. An agreed answer, such as a conflict, or an agreed caller error, aborts everywhere and
 * is thrown to the caller with every backend still in service. {@code commit()} fans out the
 * commits the same way; a backend that fails there is degraded and the transaction stands on the
 * others. What the caller is then told follows the {@link CommitQuorum}: acknowledged (the tid),
 * in doubt ({@link org.loomraid.storage.CommitOutcomeUnknownException} with the tid), or a clean
 * failure (nothing committed).
 *
 * <h2>Reads</h2>
 * {@link #load}, {@link #loadBefore}, {@link #loadSerial}, {@link #transactions} and
 * {@link #stats} go to one optimal backend chosen by the {@link ReadPolicy}, bounded by the call
 * timeout. A failure degrades that backend and the read is retried on another, invisibly; an
 * answer (such as not found) is returned at once. {@link #lastTransaction()} and {@link #newOid()}
 * ask every optimal backend and compare: a backend whose last tid is not one the RAID committed (or
 * is committing), or whose OID counter ran ahead, is degraded; a counter that is behind is
 * advanced.
 *
 * <h2>Failures</h2>
 * See the package documentation for the outcome model: only a broken backend leaves service; an
 * answer, a caller's error, the RAID's own error, an overloaded RAID
 * ({@link RaidOverloadedException}) and an in-doubt commit are each reported as what they are.
 * When fewer backends remain than the {@link Redundancy} requires, the {@link FailMode} applies.
 *
 * <h2>Threading</h2>
 * Thread-safe. See the package documentation for the lock order and threading model.
 */
public final class RaidStorage implements Storage {

  /** The system property that forces the parallel fan-out: auto, threads or structured. */
  public static final String FAN_OUT_PROPERTY = "loomraid.fanout";

  /** The default deadline of one fan-out: 5 seconds. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

  /** The default bound on the wait for the RAID commit lock: 30 seconds. */
  public static final Duration DEFAULT_COMMIT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** The default deadline for opening the backends at startup and recovery: 1 minute. */
  public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofMinutes(1);

  /**
   * The lowest scrub rate limit accepted, in bytes per second (64 KiB/s): below it a scrub of a
   * real history would never end. See {@link Builder#scrubRateLimit(long)}.
   */
  public static final long MIN_SCRUB_RATE_LIMIT = 64 * 1024;

  /** The default deadline of a pack fan-out: 10 minutes. */
  public static final Duration DEFAULT_PACK_TIMEOUT = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(RaidStorage.class);

  private final String name;
  private final Engine engine;
  private final RaidMBeanRegistration jmx = new RaidMBeanRegistration(this);

  private RaidStorage(Settings settings, Function<RaidThreads, FanOut> fanOutChoice) {
    this.name = settings.name();
    RaidThreads threads = new RaidThreads(name);
    Roster roster = new Roster(name);
    Supervisor supervisor = new Supervisor(name, roster, threads, settings.redundancy(),
        settings.failMode(), settings.listeners(), this::shutdown);
    Lifecycle lifecycle = new Lifecycle(name, roster, supervisor);
    CommitGate gate = new CommitGate(name, settings.commitLockTimeout(), settings.tids());
    Dispatcher dispatcher = new Dispatcher(threads, fanOutChoice.apply(threads), supervisor);
    OidAllocator oids = new OidAllocator(settings, dispatcher, roster, lifecycle);
    ReadRouter reads = new ReadRouter(settings, roster, dispatcher, lifecycle, gate, threads);
    this.engine = new Engine(settings, threads, roster, supervisor, lifecycle, gate, dispatcher,
        oids, reads, new ReentrantReadWriteLock(), new Scrubber());
    for (Map.Entry<String, StorageOpener> backend : settings.backends().entrySet()) {
      Metering.joined(engine, roster.add(backend.getKey(), backend.getValue(),
          threads.threadName(backend.getKey()), "not opened"));
    }
  }

  /**
   * Returns a builder for a RAID called {@code name}.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  // ---------------------------------------------------------------------------------------------
  // The RAID's own view

  /** Returns the RAID's status; see {@link RaidStatus} for the order of precedence. */
  public RaidStatus status() {
    if (engine.lifecycle().isClosed()) {
      return RaidStatus.CLOSED;
    }
    if (engine.supervisor().failed()) {
      return RaidStatus.FAILED;
    }
    boolean degraded = false;
    for (Backend backend : engine.roster().all()) {
      if (backend.state() == BackendState.RECOVERING) {
        return RaidStatus.RECOVERING;
      }
      degraded |= backend.state() != BackendState.OPTIMAL;
    }
    return degraded ? RaidStatus.DEGRADED : RaidStatus.OPTIMAL;
  }

  /** Returns a snapshot of every configured backend, in configuration order. Works when closed. */
  public List<BackendInfo> backends() {
    List<Backend> all = engine.roster().all();
    List<BackendInfo> infos = new ArrayList<>(all.size());
    for (Backend backend : all) {
      infos.add(info(backend));
    }
    return infos;
  }

  /** Returns the operator's interface to this RAID. */
  public RaidAdmin admin() {
    return new Administration(this, engine);
  }

  /** Returns which fan-out implementation this RAID uses (chosen when it opened). */
  public FanOutKind fanOutKind() {
    return engine.dispatcher().kind();
  }

  // ---------------------------------------------------------------------------------------------
  // Storage

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns the tid of the last transaction this RAID committed, after checking every optimal
   * backend: a backend that is behind it, or ahead of every tid the RAID has chosen, is degraded
   * ("inconsistent result").
   *
   * @throws RaidOverloadedException if the backends could not be asked in time
   */
  @Override
  public Tid lastTransaction() {
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkOpen();
    CommitGate gate = engine.gate();
    Tid floor = gate.lastCommitted();
    Verdict<Tid> verdict = engine.dispatcher().fanOut("lastTransaction",
        optimalOrRefuse("lastTransaction"), engine.settings().callTimeout(), Round.Kind.QUERY,
        true, (storage, slot) -> storage.lastTransaction(), tid -> Verdict.SUCCESS);
    Dispatcher.rethrowSevere(verdict);
    if (verdict.overloaded()) {
      throw lifecycle.overloaded(verdict, "the last transaction was not checked");
    }
    Tid ceiling = gate.highestChosen();
    int agreeing = 0;
    Verdict.Group<Tid> winner = verdict.winner();
    if (winner != null && winner.isRefusal()) {
      throw winner.refusal();
    }
    for (Round.Slot<Tid> slot : winner == null ? List.<Round.Slot<Tid>>of() : winner.members()) {
      Tid tid = slot.value();
      if (tid.isBefore(floor) || tid.isAfter(ceiling)) {
        engine.dispatcher().degrade(slot, "inconsistent result in lastTransaction: answered "
            + tid + ", but the RAID's last committed transaction is " + floor);
      } else {
        agreeing++;
      }
    }
    if (agreeing == 0) {
      throw lifecycle.noBackendLeft("lastTransaction");
    }
    return gate.lastCommitted();
  }

  /**
   * Allocates an object id on every optimal backend and compares: the answer most backends agree
   * on wins (ties to the earliest-configured backend), never below an id this RAID already handed
   * out. A backend whose counter ran ahead of it is degraded ("inconsistent OIDs"); one behind is
   * advanced with {@link Storage#reserveOids}.
   *
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public Oid newOid() {
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkWritable();
    lifecycle.enterPhase();
    try {
      return engine.oids().newOid();
    } finally {
      lifecycle.exitPhase();
    }
  }

  /**
   * Reserves object ids on every optimal backend, keeping their counters in step.
   *
   * @throws NullPointerException if {@code through} is null
   * @throws IllegalArgumentException if {@code through} is above {@link Oid#MAX}
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "through");
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkWritable();
    lifecycle.enterPhase();
    try {
      engine.oids().reserve(through);
    } finally {
      lifecycle.exitPhase();
    }
  }

  /** Returns the current revision as of the RAID's last committed transaction. */
  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    return engine.reads().load(oid);
  }

  /** Returns the revision before {@code tid}, as of the RAID's last committed transaction. */
  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    return engine.reads().loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    return engine.reads().loadSerial(oid, serial);
  }

  /**
   * Begins a transaction; the RAID chooses its tid at vote.
   *
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    engine.lifecycle().checkWritable();
    return new RaidTransaction(engine, meta, Tid.NONE, limits());
  }

  /**
   * Begins a transaction that commits under exactly {@code tid} on every backend.
   *
   * @throws IllegalArgumentException if {@code tid} is NONE or above {@link Tid#MAX}
   * @throws StaleTidException if {@code tid} is not after the RAID's last transaction
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    engine.lifecycle().checkWritable();
    Tid last = engine.gate().lastCommitted();
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    return new RaidTransaction(engine, meta, tid, limits());
  }

  /**
   * Returns the committed transactions after {@code after} from one optimal backend. Opening and
   * every step of the iteration are bounded by the call timeout. If the backend fails midway, it is
   * degraded and the iteration continues on another optimal backend from the last transaction
   * returned.
   */
  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    return new RaidTransactionIterator(engine, after);
  }

  /**
   * Appends an already committed transaction to every optimal backend, under the RAID commit
   * lock, as a commit would; acknowledged, in doubt or refused by the same rules as a commit. The
   * RAID's last transaction advances as soon as one backend applied it.
   *
   * @throws StaleTidException if its tid is not after the RAID's last transaction
   * @throws IllegalArgumentException if it is over the backends' limits or out of the id ranges
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    limits().check(record, name);
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkWritable();
    lifecycle.enterPhase();
    try {
      engine.gate().acquire("a restore");
      try {
        restoreUnderLock(record);
      } finally {
        engine.gate().release();
      }
    } finally {
      lifecycle.exitPhase();
    }
  }

  private void restoreUnderLock(TransactionRecord record) {
    engine.lifecycle().checkWritable();
    CommitPoint.resolvePending(engine);
    CommitGate gate = engine.gate();
    Tid last = gate.lastCommitted();
    if (!record.tid().isAfter(last)) {
      throw new StaleTidException(record.tid(), last);
    }
    long maxOid = maxOid(record.records());
    OidAllocator oids = engine.oids();
    boolean movesOids = maxOid > oids.highWater();
    gate.chose(record.tid());
    if (movesOids) {
      oids.lock();
    }
    try {
      Verdict<Object> verdict = engine.dispatcher().fanOut("restore",
          optimalOrRefuse("restore"), engine.settings().callTimeout(), Round.Kind.COMMIT, false,
          (storage, slot) -> {
            storage.restore(record);
            return Verdict.SUCCESS;
          }, value -> Verdict.SUCCESS);
      CommitPoint.settle(engine, "restore", record.tid(), maxOid, verdict);
    } finally {
      if (movesOids) {
        oids.unlock();
      }
    }
  }

  /** Returns the highest object id among {@code records}, or 0. */
  private static long maxOid(List<DataRecord> records) {
    long max = 0;
    for (DataRecord record : records) {
      max = Math.max(max, record.oid().value());
    }
    return max;
  }

  /**
   * Packs every optimal backend, under the pack deadline ({@link Builder#packTimeout}), holding the
   * RAID commit lock for the whole pack: a write during a pack waits for it (for at most the commit
   * lock timeout, then fails with a {@link CommitLockTimeoutException} naming the pack), and no
   * backend is ever taken out of service for being busy with the RAID's own pack. Reads go on. The
   * RAID remembers the pack's horizon, and packs every backend it recovers later to it.
   *
   * <p>Refused while a recovery or a scrub runs: a pack never overlaps either (a scrub compares the
   * records a pack drops). A cancelled scrub resumes where it stopped, so cancel it, pack, and scrub
   * again.
   *
   * @throws IllegalArgumentException if {@code before} is {@link Tid#NONE}
   * @throws IllegalStateException if a backend is being recovered, or a scrub runs
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    Lifecycle lifecycle = engine.lifecycle();
    lifecycle.checkWritable();
    ReentrantReadWriteLock maintenance = engine.maintenance();
    if (!maintenance.writeLock().tryLock()) {
      throw new IllegalStateException(packRefusal());
    }
    try {
      lifecycle.enterPhase();
      try {
        engine.gate().acquire("a pack of RAID '" + name + "'");
        try {
          packUnderLock(before);
        } finally {
          engine.gate().release();
        }
      } finally {
        lifecycle.exitPhase();
      }
    } finally {
      maintenance.writeLock().unlock();
    }
  }

  private void packUnderLock(Tid before) {
    CommitPoint.resolvePending(engine);
    Verdict<Object> verdict = engine.dispatcher().fanOut("pack", optimalOrRefuse("pack"),
        engine.settings().packTimeout(), Round.Kind.QUERY, false, (storage, slot) -> {
          storage.pack(before);
          return Verdict.SUCCESS;
        }, value -> Verdict.SUCCESS);
    Dispatcher.rethrowSevere(verdict);
    Lifecycle lifecycle = engine.lifecycle();
    if (verdict.overloaded()) {
      throw lifecycle.overloaded(verdict, "the pack may have run on some backends only");
    }
    Verdict.Group<Object> winner = verdict.winner();
    if (winner == null || !lifecycle.canWrite()) {
      throw lifecycle.writeRefusal("packed");
    }
    if (winner.isRefusal()) {
      throw winner.refusal();
    }
    engine.gate().packed(before);
  }

  /** Says why a pack cannot run now: a recovery or a scrub holds the maintenance lock. */
  private String packRefusal() {
    String recovering = recovering();
    Scrub scrub = engine.scrubber().running();
    if (scrub != null) {
      return "RAID '" + name + "': pack refused while a scrub runs (" + scrub.describe()
          + (recovering.isEmpty() ? "" : "; and backends " + recovering + " are being recovered")
          + "); cancel it (the next scrub resumes where it stopped), pack, then scrub again";
    }
    return "RAID '" + name + "': pack refused while a backend is being recovered ("
        + (recovering.isEmpty() ? "a recovery or scrub is ending now" : recovering)
        + "); pack once the recovery has ended";
  }

  /** Names the backends being recovered, for messages. */
  private String recovering() {
    StringBuilder names = new StringBuilder();
    for (Backend backend : engine.roster().all()) {
      if (backend.state() == BackendState.RECOVERING) {
        names.append(names.isEmpty() ? "" : ", ").append('\'').append(backend.name())
            .append('\'');
      }
    }
    return names.toString();
  }

  @Override
  public StorageStats stats() {
    return engine.reads().read("stats", (storage, slot) -> storage.stats());
  }

  /**
   * Returns the strictest limits among the backends opened so far (each backend's last opened
   * instance counts, in service or not), so that whatever the RAID accepts every backend accepts.
   * Every transaction and restore is checked against them before any backend is called.
   */
  @Override
  public StorageLimits limits() {
    StorageLimits strictest = StorageLimits.DEFAULT;
    for (Backend backend : engine.roster().all()) {
      StorageLimits known = backend.limits();
      if (known != null) {
        strictest = strictest.strictest(known);
      }
    }
    return strictest;
  }

  /**
   * Closes the RAID: refuses new calls at once, cancels running recoveries, lets write phases
   * already running (a vote, a commit, a restore) finish for up to the call timeout, then closes
   * every open backend, each on its own thread under one deadline, even when some throw. A
   * transaction that has not committed by then cannot commit any more. Idempotent.
   */
  @Override
  public void close() {
    if (!engine.lifecycle().markClosed("")) {
      return;
    }
    stopScrub();
    stopRecoveries();
    Lifecycle lifecycle = engine.lifecycle();
    boolean drained = lifecycle.drain(engine.settings().callTimeout().toNanos());
    try {
      closeBackends();
    } finally {
      if (drained) {
        lifecycle.undrain();
      }
    }
  }

  @Override
  public String toString() {
    return "RaidStorage[" + name + ", " + status() + ", " + engine.roster().describe() + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** Returns how many abandoned backend threads are still alive (for tests). */
  int abandonedThreads() {
    return engine.threads().abandonedCount();
  }

  /** Returns the optimal backends, or throws the refusal that applies if there are none. */
  private List<Backend> optimalOrRefuse(String operation) {
    List<Backend> optimal = engine.roster().optimal();
    if (optimal.isEmpty()) {
      throw engine.lifecycle().noBackendLeft(operation);
    }
    return optimal;
  }

  private BackendInfo info(Backend backend) {
    BackendState state = backend.state();
    long lag = backend.lag(engine.gate().committedCount());
    BackendStats stats = backend.stats();
    LatencyRecorder.Snapshot recent = stats.recent();
    return new BackendInfo(backend.name(), state,
        state == BackendState.OPTIMAL ? "" : backend.reason(), backend.lastTransaction(), lag,
        backend.recovery().map(Recovery::progress), stats.calls(), stats.failures(),
        stats.meanLatency(), stats.maxLatency(), recent.at(50), recent.at(99));
  }

  /** Closes the RAID at once because it failed ({@link FailMode#CLOSE}). */
  private void shutdown(String reason) {
    if (engine.lifecycle().markClosed(reason)) {
      closeBackends();
    }
  }

  /** Cancels a running scrub and waits, for a bounded time, until it ends. */
  private void stopScrub() {
    Scrub scrub = engine.scrubber().running();
    if (scrub == null) {
      return;
    }
    scrub.cancel("scrub cancelled: the RAID closed");
    try {
      if (!scrub.await(engine.settings().callTimeout())) {
        log.warn("RAID '{}': the scrub did not stop in time", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cancels every running recovery ("RAID closed") and waits, for a bounded time, until they end. */
  private void stopRecoveries() {
    List<Recovery> running = new ArrayList<>();
    for (Backend backend : engine.roster().all()) {
      backend.recovery().filter(r -> !r.isDone()).ifPresent(running::add);
    }
    for (Recovery recovery : running) {
      recovery.cancel("recovery cancelled: the RAID closed");
    }
    long deadline = System.nanoTime() + engine.settings().callTimeout().toNanos();
    for (Recovery recovery : running) {
      try {
        if (!recovery.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          log.warn("RAID '{}': the recovery of backend '{}' did not stop in time", name,
              recovery.backend());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Starts the recovery of every backend found lagging at startup (with autoRecover). */
  private void recoverLaggards() {
    for (Backend backend : engine.roster().all()) {
      if (backend.state() == BackendState.DEGRADED
          && backend.reason().startsWith(Startup.MISSING_TRANSACTIONS)) {
        try {
          admin().recover(backend.name());
        } catch (IllegalStateException e) {
          log.warn("RAID '{}': could not start recovering backend '{}': {}", name,
              backend.name(), e.getMessage());
        }
      }
    }
  }

  private void closeBackends() {
    jmx.unregister();
    Supervisor supervisor = engine.supervisor();
    supervisor.closed();
    List<Backend> open = new ArrayList<>();
    for (Backend backend : engine.roster().all()) {
      Storage instance = backend.storage();
      if (backend.state() != BackendState.DEGRADED && instance != null
          && backend.claimClose(instance)) {
        open.add(backend);
      }
    }
    Verdict<Object> verdict = engine.dispatcher().run("close", open,
        engine.settings().callTimeout(), false, (storage, slot) -> {
          storage.close();
          return Verdict.SUCCESS;
        });
    for (Round.Slot<Object> slot : verdict.round().slots()) {
      if (slot.outcome() != Outcome.SUCCESS) {
        log.warn("RAID '{}': backend '{}' did not close cleanly: {}", name,
            slot.backend().name(), slot.failureReason());
      }
    }
    if (!supervisor.awaitClosing(engine.settings().callTimeout())) {
      log.warn("RAID '{}': some degraded backends are still closing", name);
    }
    for (Backend backend : engine.roster().all()) {
      Metering.left(engine, backend);
    }
    String reason = engine.lifecycle().closeReason();
    log.info("RAID '{}' is closed{}", name, reason.isEmpty() ? "" : ": " + reason);
  }

  /**
   * Returns {@code value}, a RAID or backend name, if it is neither null nor blank; the exception
   * names {@code setting}. Shared by the builder and by administration.
   */
  static String requireName(String value, String setting) {
    Objects.requireNonNull(value, setting);
    if (value.isBlank()) {
      throw new IllegalArgumentException(setting + " must not be blank");
    }
    return value;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Settings for a {@link RaidStorage}. Every setting is validated when it is set: a bad value is
   * refused with an exception naming the setting, and the builder is unchanged.
   */
  public static final class Builder {
    private final String name;
    private final Map<String, StorageOpener> backends = new LinkedHashMap<>();
    private final List<RaidListener> listeners = new ArrayList<>();
    private WriteMode writeMode = WriteMode.PARALLEL;
    private ReadPolicy readPolicy = ReadPolicy.RANDOM;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private Duration commitLockTimeout = DEFAULT_COMMIT_LOCK_TIMEOUT;
    private Duration openTimeout = DEFAULT_OPEN_TIMEOUT;
    private Duration packTimeout = DEFAULT_PACK_TIMEOUT;
    private Redundancy redundancy = Redundancy.ANY;
    private FailMode failMode = FailMode.CLOSE;
    private boolean autoRecover;
    private long recoveryRateLimit;
    private long scrubRateLimit;
    private CommitQuorum commitQuorum = CommitQuorum.ONE;
    private TidGenerator tids = TidGenerator.system();
    private HedgedReads hedgedReads;
    private RaidMetrics metrics;

    private Builder(String name) {
      this.name = requireName(name, "name");
    }

    /**
     * Adds a backend, opened with {@code opener} at startup and again at each recovery.
     * Configuration order matters: it breaks ties in votes.
     *
     * @throws IllegalArgumentException if {@code name} is blank or already used
     * @throws NullPointerException if an argument is null
     */
    public Builder backend(String name, StorageOpener opener) {
      requireName(name, "backend name");
      Objects.requireNonNull(opener, "opener");
      if (backends.containsKey(name)) {
        throw new IllegalArgumentException("duplicate backend name '" + name + "'");
      }
      backends.put(name, opener);
      return this;
    }

    /** Sets the write mode: {@link WriteMode#PARALLEL} (default) or {@code SEQUENTIAL}. */
    public Builder writeMode(WriteMode mode) {
      this.writeMode = Objects.requireNonNull(mode, "writeMode");
      return this;
    }

    /**
     * Sets the read policy: {@link ReadPolicy#RANDOM} (default), {@code ROUND_ROBIN} or
     * {@code LEAST_LATENCY}.
     */
    public Builder readPolicy(ReadPolicy policy) {
      this.readPolicy = Objects.requireNonNull(policy, "readPolicy");
      return this;
    }

    /**
     * Hedges reads: a read its backend has not answered within the delay {@code hedging} names is
     * sent to a second optimal backend too, within its budget, and the first answer wins; see
     * {@link HedgedReads}. Off by default.
     */
    public Builder hedgedReads(HedgedReads hedging) {
      this.hedgedReads = Objects.requireNonNull(hedging, "hedgedReads");
      return this;
    }

    /**
     * Sends every backend's calls, failures, latency and lag to {@code sink} (for example the
     * Micrometer binding in {@code org.loomraid:loomraid-micrometer}); none by default. See
     * {@link RaidMetrics}.
     */
    public Builder metrics(RaidMetrics sink) {
      this.metrics = Objects.requireNonNull(sink, "metrics");
      return this;
    }

    /**
     * Sets the deadline of one fan-out (all backends together, never per backend) and of one read;
     * default 5 seconds. A backend that has not answered by then is degraded.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = requirePositive(timeout, "callTimeout");
      return this;
    }

    /**
     * Sets how long {@code vote()} and {@code restore()} wait for the RAID commit lock before
     * failing with a {@link CommitLockTimeoutException}; default 30 seconds.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder commitLockTimeout(Duration timeout) {
      this.commitLockTimeout = requirePositive(timeout, "commitLockTimeout");
      return this;
    }

    /**
     * Sets the deadline for opening the backends (all together) at startup and at recovery;
     * default 1 minute.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder openTimeout(Duration timeout) {
      this.openTimeout = requirePositive(timeout, "openTimeout");
      return this;
    }

    /**
     * Sets the deadline of a pack fan-out; default 10 minutes.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder packTimeout(Duration timeout) {
      this.packTimeout = requirePositive(timeout, "packTimeout");
      return this;
    }

    /**
     * Sets how many backends must commit a transaction before it is acknowledged:
     * {@link CommitQuorum#ONE} (default) or {@link CommitQuorum#MAJORITY}; see
     * {@link CommitQuorum} for what the caller is told otherwise.
     */
    public Builder commitQuorum(CommitQuorum quorum) {
      this.commitQuorum = Objects.requireNonNull(quorum, "commitQuorum");
      return this;
    }

    /** Sets the minimum redundancy: {@link Redundancy#ANY} (default) or {@code MAJORITY}. */
    public Builder redundancy(Redundancy r) {
      this.redundancy = Objects.requireNonNull(r, "redundancy");
      return this;
    }

    /** Sets what happens below the minimum redundancy: {@link FailMode#CLOSE} (default) or {@code READ_ONLY}. */
    public Builder failMode(FailMode m) {
      this.failMode = Objects.requireNonNull(m, "failMode");
      return this;
    }

    /** Adds a listener for backend transitions (including those during startup). */
    public Builder listener(RaidListener l) {
      listeners.add(Objects.requireNonNull(l, "listener"));
      return this;
    }

    /**
     * Sets whether backends found lagging at startup, or added later, are recovered without an
     * operator; default off. With it on, a RAID whose laggards leave it below its minimum
     * redundancy at startup opens read-only (FAILED) instead of refusing to open, whatever the
     * fail mode, and resumes writes once recovery has restored the redundancy.
     */
    public Builder autoRecover(boolean on) {
      this.autoRecover = on;
      return this;
    }

    /**
     * Limits how fast recovery copies, in bytes of object data per second; 0 (the default) means
     * no limit.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder recoveryRateLimit(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException(
            "recoveryRateLimit must be >= 0 bytes per second, was " + bytesPerSecond);
      }
      this.recoveryRateLimit = bytesPerSecond;
      return this;
    }

    /**
     * Limits how fast a scrub compares, in bytes of object data per second (each transaction's data
     * counted once; every backend compared is read at that rate); 0 (the default) means no limit.
     * Separate from the recovery rate limit. Every step of a scrub compares at least one
     * transaction, so a scrub always makes progress, however large its transactions.
     *
     * @throws IllegalArgumentException if negative, or positive and below
     *     {@link RaidStorage#MIN_SCRUB_RATE_LIMIT} (64 KiB/s)
     */
    public Builder scrubRateLimit(long bytesPerSecond) {
      if (bytesPerSecond < 0 || (bytesPerSecond > 0 && bytesPerSecond < MIN_SCRUB_RATE_LIMIT)) {
        throw new IllegalArgumentException("scrubRateLimit must be 0 (no limit) or at least "
            + MIN_SCRUB_RATE_LIMIT + " bytes per second, was " + bytesPerSecond);
      }
      this.scrubRateLimit = bytesPerSecond;
      return this;
    }

    /** Sets where new tids come from (a clock can be injected for tests). */
    public Builder tidGenerator(TidGenerator generator) {
      this.tids = Objects.requireNonNull(generator, "tidGenerator");
      return this;
    }

    /**
     * Opens every backend in parallel and starts the RAID. A backend that fails to open, or to
     * answer, is DEGRADED, never a crash; the backends at the highest last tid become OPTIMAL, the
     * others DEGRADED "missing transactions".
     *
     * @throws IllegalStateException if no backend was configured
     * @throws RaidException if no backend works; if the minimum redundancy is not met and the fail
     *     mode is {@link FailMode#CLOSE}; or if the fan-out forced by the system property
     *     {@value #FAN_OUT_PROPERTY} is unknown or not available
     */
    public RaidStorage open() {
      if (backends.isEmpty()) {
        throw new IllegalStateException(
            "RAID '" + name + "' has no backends: call backend(name, opener) at least once");
      }
      Settings settings = new Settings(name, backends, writeMode, readPolicy, callTimeout,
          commitLockTimeout, openTimeout, packTimeout, redundancy, failMode, listeners,
          autoRecover, recoveryRateLimit, scrubRateLimit, commitQuorum, tids, hedgedReads,
          metrics);
      RaidStorage raid = new RaidStorage(settings, chooseFanOut());
      Startup.run(raid.engine, raid::close);
      raid.jmx.register();
      if (autoRecover) {
        raid.recoverLaggards();
      }
      return raid;
    }

    /**
     * Returns how the RAID makes its fan-out from its thread registry; validates the system
     * property now, so that a bad value fails before anything is opened.
     */
    private Function<RaidThreads, FanOut> chooseFanOut() {
      if (writeMode == WriteMode.SEQUENTIAL) {
        return threads -> FanOut.of(FanOutKind.SEQUENTIAL, threads);
      }
      String forced = System.getProperty(FAN_OUT_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
      return switch (forced) {
        case "auto", "" -> FanOut::preferred;
        case "threads" -> threads -> FanOut.of(FanOutKind.VIRTUAL_THREADS, threads);
        case "structured" -> threads -> FanOut.of(FanOutKind.STRUCTURED_TASK_SCOPE, threads);
        default -> throw new RaidException("system property " + FAN_OUT_PROPERTY
            + " must be auto, threads or structured, was '" + forced + "'");
      };
    }

    private static Duration requirePositive(Duration value, String setting) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + value);
      }
      return value;
    }
  }
}
