package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageException;
import org.loomraid.storage.StorageInterruptedException;
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
 * {@link #begin} returns a transaction that only buffers stores. Its {@code vote()} takes the RAID
 * commit lock (bounded by {@link Builder#commitLockTimeout}), chooses the tid, and fans out to every
 * optimal backend at once: each, on its own virtual thread, begins a transaction under that tid,
 * stores everything and votes, under one deadline ({@link Builder#callTimeout}) for the whole
 * fan-out. The outcomes are voted (see {@code Tally}: the largest group of equal outcomes wins, ties
 * go to the earliest-configured backend); every backend outside the winning group, and every
 * backend that failed or did not answer in time, is degraded. An agreed answer, such as a conflict,
 * aborts everywhere and is thrown to the caller with every backend still in service.
 * {@code commit()} fans out the commits the same way; a backend that fails there is degraded and
 * the transaction stands on the others. A commit is acknowledged (returns its tid) only if at least
 * one backend committed it.
 *
 * <h2>Reads</h2>
 * {@link #load}, {@link #loadBefore}, {@link #loadSerial}, {@link #transactions} and
 * {@link #stats} go to one optimal backend chosen by the {@link ReadPolicy}, on a virtual thread
 * bounded by the call timeout. A failure degrades that backend and the read is retried on another,
 * invisibly; an answer (such as not found) is returned at once. {@link #lastTransaction()} and
 * {@link #newOid()} ask every optimal backend and compare: a backend whose last tid is not one the
 * RAID committed (or is committing), or whose OID counter ran ahead, is degraded; a counter that is
 * behind is advanced.
 *
 * <h2>Failures</h2>
 * A {@link StorageException} from a backend is an answer; anything else, or no answer before the
 * deadline, is a failure that takes the backend out of service (DEGRADED, closed). When fewer
 * backends remain than the {@link Redundancy} requires, the {@link FailMode} applies. The RAID's
 * own errors are {@link RaidException}s, deliberately not storage answers.
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

  /** The default deadline of a pack fan-out: 10 minutes. */
  public static final Duration DEFAULT_PACK_TIMEOUT = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(RaidStorage.class);

  private final Settings settings;
  private final String name;
  private final RaidThreads threads;
  private final Roster roster;
  private final Supervisor supervisor;
  private final FanOut fanOut;
  private final FanOut direct = new ThreadFanOut();

  /** Serialises commits from vote to commit/abort; a semaphore because any thread may release. */
  private final Semaphore commitLock = new Semaphore(1, true);


  /**
   * The close gate: every write phase holds it shared while it runs; {@link #close()} takes it
   * exclusively, waiting at most the call timeout, so that running phases finish before the
   * backends close.
   */
  private final ReentrantReadWriteLock phases = new ReentrantReadWriteLock();

  /**
   * Keeps pack and recovery apart: every running recovery holds it shared; {@link #pack} takes it
   * exclusively without waiting, and is refused while a recovery runs. A recovery that starts
   * during a pack waits for the pack to end.
   */
  private final ReentrantReadWriteLock maintenance = new ReentrantReadWriteLock();

  private final OidAllocator oids = new OidAllocator(this);
  private final RaidMBeanRegistration jmx = new RaidMBeanRegistration(this);
  private final ReadRouter reads;
  private final AtomicLong committedCount = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String closeReason = "";
  private volatile Tid lastCommitted = Tid.NONE;
  private volatile Tid highestChosen = Tid.NONE;

  private RaidStorage(Settings settings, Function<RaidThreads, FanOut> fanOutChoice) {
    this.settings = settings;
    this.name = settings.name();
    this.threads = new RaidThreads(name);
    this.roster = new Roster(name);
    this.fanOut = fanOutChoice.apply(threads);
    this.reads = new ReadRouter(this, settings.readPolicy());
    this.supervisor = new Supervisor(name, roster, threads, settings.redundancy(),
        settings.failMode(), settings.listeners(), this::shutdown);
    for (Map.Entry<String, StorageOpener> backend : settings.backends().entrySet()) {
      roster.add(backend.getKey(), backend.getValue(), threads.threadName(backend.getKey()),
          "not opened");
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
    if (closed.get()) {
      return RaidStatus.CLOSED;
    }
    if (supervisor.failed()) {
      return RaidStatus.FAILED;
    }
    boolean degraded = false;
    for (Backend backend : roster.all()) {
      if (backend.state() == BackendState.RECOVERING) {
        return RaidStatus.RECOVERING;
      }
      degraded |= backend.state() != BackendState.OPTIMAL;
    }
    return degraded ? RaidStatus.DEGRADED : RaidStatus.OPTIMAL;
  }

  /** Returns a snapshot of every configured backend, in configuration order. Works when closed. */
  public List<BackendInfo> backends() {
    List<Backend> all = roster.all();
    List<BackendInfo> infos = new ArrayList<>(all.size());
    for (Backend backend : all) {
      infos.add(info(backend));
    }
    return infos;
  }

  /** Returns the operator's interface to this RAID. */
  public RaidAdmin admin() {
    return new Administration(this);
  }

  /** Returns which fan-out implementation this RAID uses (chosen when it opened). */
  public FanOutKind fanOutKind() {
    return fanOut.kind();
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
   */
  @Override
  public Tid lastTransaction() {
    checkOpen();
    Tid floor = lastCommitted;
    Round<Tid> round = fanOut("lastTransaction", optimalOrRefuse("lastTransaction"),
        settings.callTimeout(), (storage, slot) -> storage.lastTransaction());
    Tid ceiling = highestChosen;
    int agreeing = 0;
    Throwable fatal = null;
    for (Round.Slot<Tid> slot : round.slots()) {
      switch (slot.outcome()) {
        case SUCCESS -> {
          Tid tid = slot.value();
          if (tid.isBefore(floor) || tid.isAfter(ceiling)) {
            supervisor.degrade(slot.backend(), "inconsistent result in lastTransaction: answered "
                + tid + ", but the RAID's last committed transaction is " + floor);
          } else {
            agreeing++;
          }
        }
        case FATAL -> fatal = slot.error();
        default -> supervisor.degrade(slot.backend(), slot.failureReason());
      }
    }
    rethrowFatal(fatal);
    if (agreeing == 0) {
      throw noBackendLeft("lastTransaction");
    }
    return lastCommitted;
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
    checkWritable();
    enterPhase();
    try {
      return oids.newOid();
    } finally {
      exitPhase();
    }
  }

  /**
   * Reserves object ids on every optimal backend, keeping their counters in step.
   *
   * @throws NullPointerException if {@code through} is null
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void reserveOids(Oid through) {
    Objects.requireNonNull(through, "through");
    Oid.checkInRange(through, "through");
    checkWritable();
    enterPhase();
    try {
      oids.reserve(through);
    } finally {
      exitPhase();
    }
  }

  /** Returns the current revision as of the RAID's last committed transaction. */
  @Override
  public Revision load(Oid oid) {
    Objects.requireNonNull(oid, "oid");
    return reads.load(oid);
  }

  /** Returns the revision before {@code tid}, as of the RAID's last committed transaction. */
  @Override
  public Optional<Revision> loadBefore(Oid oid, Tid tid) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(tid, "tid");
    return reads.loadBefore(oid, tid);
  }

  @Override
  public Revision loadSerial(Oid oid, Tid serial) {
    Objects.requireNonNull(oid, "oid");
    Tid.requireReal(serial, "serial");
    return reads.loadSerial(oid, serial);
  }

  /**
   * Begins a transaction; the RAID chooses its tid at vote.
   *
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta) {
    Objects.requireNonNull(meta, "meta");
    checkWritable();
    return new RaidTransaction(this, meta, Tid.NONE, limits());
  }

  /**
   * Begins a transaction that commits under exactly {@code tid} on every backend.
   *
   * @throws StaleTidException if {@code tid} is not after the RAID's last transaction
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public StorageTransaction begin(TransactionMeta meta, Tid tid) {
    Objects.requireNonNull(meta, "meta");
    Tid.requireReal(tid, "tid");
    Tid.checkInRange(tid, "tid");
    checkWritable();
    Tid last = lastCommitted;
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    return new RaidTransaction(this, meta, tid, limits());
  }

  /**
   * Returns the committed transactions after {@code after} from one optimal backend. Opening is
   * bounded by the call timeout; elements are then fetched on the caller's thread. If the backend
   * fails midway, it is degraded and the iteration continues on another optimal backend from the
   * last transaction returned.
   */
  @Override
  public TransactionIterator transactions(Tid after) {
    Objects.requireNonNull(after, "after");
    return new RaidTransactionIterator(this, after);
  }

  /**
   * Appends an already committed transaction to every optimal backend, under the RAID commit
   * lock, as a commit would.
   *
   * @throws StaleTidException if its tid is not after the RAID's last transaction
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void restore(TransactionRecord record) {
    Objects.requireNonNull(record, "record");
    limits().check(record, name);
    checkWritable();
    enterPhase();
    try {
      acquireCommitLock();
      try {
        restoreUnderLock(record);
      } finally {
        commitLock.release();
      }
    } finally {
      exitPhase();
    }
  }

  private void restoreUnderLock(TransactionRecord record) {
    checkWritable();
    Tid last = lastCommitted;
    if (!record.tid().isAfter(last)) {
      throw new StaleTidException(record.tid(), last);
    }
    long maxOid = maxOid(record.records());
    boolean movesOids = maxOid > oids.highWater();
    chose(record.tid());
    if (movesOids) {
      oids.lock();
    }
    try {
      Round<Object> round = fanOut("restore", optimalOrRefuse("restore"),
          settings.callTimeout(), (storage, slot) -> {
            storage.restore(record);
            return Tally.SUCCESS;
          });
      Tally<Object> tally = tallyAndDegrade(round, value -> Tally.SUCCESS);
      finishWrite(tally);
      for (Round.Slot<Object> slot : tally.winner().members()) {
        slot.backend().committed(record.tid());
      }
      committed(record.tid(), maxOid);
    } finally {
      if (movesOids) {
        oids.unlock();
      }
    }
  }

  /**
   * Packs every optimal backend, under the pack deadline ({@link Builder#packTimeout}).
   *
   * Refused while a recovery runs: a pack and a recovery never overlap.
   *
   * @throws IllegalArgumentException if {@code before} is {@link Tid#NONE}
   * @throws IllegalStateException if a backend is being recovered
   * @throws RaidReadOnlyException if the RAID is read-only
   */
  @Override
  public void pack(Tid before) {
    Tid.requireReal(before, "before");
    checkWritable();
    if (!maintenance.writeLock().tryLock()) {
      throw new IllegalStateException("RAID '" + name + "': pack refused while a backend is being"
          + " recovered (" + recovering() + "); pack once the recovery has ended");
    }
    try {
      enterPhase();
      try {
        Round<Object> round = fanOut("pack", optimalOrRefuse("pack"), settings.packTimeout(),
            (storage, slot) -> {
              storage.pack(before);
              return Tally.SUCCESS;
            });
        finishWrite(tallyAndDegrade(round, value -> Tally.SUCCESS));
      } finally {
        exitPhase();
      }
    } finally {
      maintenance.writeLock().unlock();
    }
  }

  /** Names the backends being recovered, for messages. */
  private String recovering() {
    StringBuilder names = new StringBuilder();
    for (Backend backend : roster.all()) {
      if (backend.state() == BackendState.RECOVERING) {
        names.append(names.isEmpty() ? "" : ", ").append('\'').append(backend.name())
            .append('\'');
      }
    }
    return names.toString();
  }

  @Override
  public StorageStats stats() {
    return reads.read("stats", (storage, slot) -> storage.stats());
  }

  /**
   * Returns the strictest limits among the backends opened so far (each backend's last opened
   * instance counts, in service or not), so that whatever the RAID accepts every backend accepts.
   * Every transaction and restore is checked against them before any backend is called.
   */
  @Override
  public StorageLimits limits() {
    StorageLimits strictest = StorageLimits.DEFAULT;
    for (Backend backend : roster.all()) {
      StorageLimits known = backend.limits();
      if (known != null) {
        strictest = strictest.strictest(known);
      }
    }
    return strictest;
  }

  /**
   * Closes the RAID: refuses new calls at once, lets write phases already running (a vote, a
   * commit, a restore) finish for up to the call timeout, then closes every open backend, each on
   * its own thread under one deadline, even when some throw. A transaction that has not committed
   * by then cannot commit any more. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopRecoveries();
    boolean drained = false;
    try {
      drained = phases.writeLock().tryLock(settings.callTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      closeBackends();
    } finally {
      if (drained) {
        phases.writeLock().unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "RaidStorage[" + name + ", " + status() + ", " + roster.describe() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // For the transaction, startup, administration and tests (package-private)

  Settings settings() {
    return settings;
  }

  RaidThreads threads() {
    return threads;
  }

  Roster roster() {
    return roster;
  }

  Supervisor supervisor() {
    return supervisor;
  }

  FanOut direct() {
    return direct;
  }

  /** Returns how many abandoned backend threads are still alive. */
  int abandonedThreads() {
    return threads.abandonedCount();
  }

  /** Returns the lock that keeps pack and recovery apart. */
  ReentrantReadWriteLock maintenance() {
    return maintenance;
  }

  /** Returns how many transactions the RAID holds, as far as it knows. */
  long committedCount() {
    return committedCount.get();
  }

  /** Returns the OID allocator (its lock and high-water mark). */
  OidAllocator oids() {
    return oids;
  }

  /** Returns the read router. */
  ReadRouter reads() {
    return reads;
  }

  /** Returns the last transaction this RAID committed (without asking the backends). */
  Tid lastCommitted() {
    return lastCommitted;
  }

  /** Sets where the RAID starts: its last tid, transaction count and OID high-water mark. */
  void startAt(Tid last, long transactionCount, long oid) {
    lastCommitted = last;
    highestChosen = last;
    committedCount.set(transactionCount);
    oids.raise(oid);
  }

  /** Runs a fan-out of {@code call} over {@code targets} and returns the finished round. */
  <T> Round<T> fanOut(String operation, List<Backend> targets, Duration timeout,
      Round.Call<T> call) {
    Round<T> round = new Round<>(threads, operation, targets, timeout, call);
    fanOut.execute(round);
    return round;
  }

  /**
   * Tallies a finished round and degrades every backend that failed or is outside the winning
   * group. The caller deals with the winner and with {@link Tally#fatal()}.
   */
  <T> Tally<T> tallyAndDegrade(Round<T> round, Function<? super T, Object> key) {
    Tally<T> tally = Tally.of(round, key);
    for (Round.Slot<T> slot : tally.failures()) {
      supervisor.degrade(slot.backend(), slot.failureReason(), leftover(slot));
    }
    Tally.Group<T> winner = tally.winner();
    for (Tally.Group<T> loser : tally.losers()) {
      for (Round.Slot<T> slot : loser.members()) {
        supervisor.degrade(slot.backend(), "inconsistent result in " + slot.stage() + ": answered "
            + loser.describe() + ", the vote went to " + winner.describe(), leftover(slot));
      }
    }
    return tally;
  }

  /** Returns what a finished slot left open, or null if its thread may still be using it. */
  static AutoCloseable leftover(Round.Slot<?> slot) {
    return slot.state() == Round.DONE ? slot.attachment() : null;
  }

  /** Returns the optimal backends, or throws the refusal that applies if there are none. */
  List<Backend> optimalOrRefuse(String operation) {
    List<Backend> optimal = roster.optimal();
    if (optimal.isEmpty()) {
      throw noBackendLeft(operation);
    }
    return optimal;
  }

  /** Takes the RAID commit lock, waiting at most the commit lock timeout. */
  void acquireCommitLock() {
    Duration timeout = settings.commitLockTimeout();
    try {
      if (!commitLock.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new CommitLockTimeoutException(name, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageInterruptedException(
          "RAID '" + name + "': interrupted waiting for the commit lock", e);
    }
  }

  void releaseCommitLock() {
    commitLock.release();
  }

  /**
   * Enters a write phase (vote, commit, abort, restore, pack, an OID fan-out): holds the close
   * gate shared until {@link #exitPhase()}, so that {@link #close()} lets it finish.
   *
   * @throws RaidClosedException if the RAID is closed or closing
   */
  void enterPhase() {
    if (!phases.readLock().tryLock()) {
      throw closedException();
    }
    if (closed.get()) {
      phases.readLock().unlock();
      throw closedException();
    }
  }

  /** Leaves a write phase; on the thread that entered it. */
  void exitPhase() {
    phases.readLock().unlock();
  }

  /**
   * Chooses the tid of the next commit, under the commit lock: {@code requested}, or a new one
   * after the RAID's last; records it as the highest tid chosen.
   *
   * @throws StaleTidException if {@code requested} is not after the RAID's last transaction
   */
  Tid chooseTid(Tid requested) {
    Tid last = lastCommitted;
    Tid tid = requested.isNone() ? settings.tids().next(last) : requested;
    if (!tid.isAfter(last)) {
      throw new StaleTidException(tid, last);
    }
    chose(tid);
    return tid;
  }

  private void chose(Tid tid) {
    if (tid.isAfter(highestChosen)) {
      highestChosen = tid;
    }
  }

  /** Records a commit acknowledged by at least one backend; under the commit lock. */
  void committed(Tid tid, long maxStoredOid) {
    lastCommitted = tid;
    committedCount.incrementAndGet();
    oids.raise(maxStoredOid);
  }

  /** Returns the highest object id among {@code records}, or 0. */
  static long maxOid(List<DataRecord> records) {
    long max = 0;
    for (DataRecord record : records) {
      max = Math.max(max, record.oid().value());
    }
    return max;
  }

  /**
   * Deals with the tally of a write fan-out whose successes carry no value: rethrows a fatal
   * error, throws the refusal if the RAID can no longer write, throws the winning answer.
   */
  void finishWrite(Tally<?> tally) {
    rethrowFatal(tally.fatal());
    Tally.Group<?> winner = tally.winner();
    if (winner == null || !canWrite()) {
      throw writeRefusal();
    }
    if (winner.isAnswer()) {
      throw winner.answer();
    }
  }

  /** Rethrows a {@link VirtualMachineError} a backend thread hit. */
  static void rethrowFatal(Throwable fatal) {
    if (fatal instanceof VirtualMachineError error) {
      throw error;
    }
  }

  void checkOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  /** Returns whether the RAID can write: neither closed nor read-only after a failure. */
  boolean canWrite() {
    return !closed.get() && !supervisor.failed();
  }

  /** Throws if the RAID cannot write: closed, or read-only after a failure. */
  void checkWritable() {
    checkOpen();
    if (supervisor.failed()) {
      throw readOnlyException();
    }
  }

  /** Returns the exception for a write the RAID cannot do now. */
  RuntimeException writeRefusal() {
    if (closed.get()) {
      return closedException();
    }
    if (supervisor.failed()) {
      return readOnlyException();
    }
    return new RaidException("RAID '" + name + "': no backend committed the write ("
        + roster.describe() + ")");
  }

  /** Returns the exception for a call that found no optimal backend. */
  RuntimeException noBackendLeft(String operation) {
    if (closed.get()) {
      return closedException();
    }
    String why = supervisor.failed() ? supervisor.failure() : roster.describe();
    return new RaidException(
        "RAID '" + name + "' has no optimal backend left for " + operation + ": " + why);
  }

  private RaidClosedException closedException() {
    String reason = closeReason;
    return new RaidClosedException(name,
        "RAID '" + name + "' is closed" + (reason.isEmpty() ? "" : ": " + reason));
  }

  private RaidReadOnlyException readOnlyException() {
    return new RaidReadOnlyException(
        "RAID '" + name + "' is read-only: " + supervisor.failure());
  }

  private BackendInfo info(Backend backend) {
    BackendState state = backend.state();
    long count = backend.transactionCount();
    long lag = state == BackendState.OPTIMAL ? 0
        : count < 0 ? -1 : Math.max(0, committedCount.get() - count);
    BackendStats stats = backend.stats();
    return new BackendInfo(backend.name(), state,
        state == BackendState.OPTIMAL ? "" : backend.reason(), backend.lastTransaction(), lag,
        backend.recovery().map(Recovery::progress), stats.calls(), stats.failures(),
        stats.meanLatency(), stats.maxLatency());
  }

  /** Closes the RAID at once because it failed ({@link FailMode#CLOSE}). */
  private void shutdown(String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeReason = reason;
    closeBackends();
  }

  /** Cancels every running recovery ("RAID closed") and waits, for a bounded time, until they end. */
  private void stopRecoveries() {
    List<Recovery> running = new ArrayList<>();
    for (Backend backend : roster.all()) {
      backend.recovery().filter(r -> !r.isDone()).ifPresent(running::add);
    }
    for (Recovery recovery : running) {
      recovery.cancel("recovery cancelled: the RAID closed");
    }
    long deadline = System.nanoTime() + settings.callTimeout().toNanos();
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
    for (Backend backend : roster.all()) {
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
    supervisor.closed();
    List<Backend> open = new ArrayList<>();
    for (Backend backend : roster.all()) {
      Storage instance = backend.storage();
      if (backend.state() != BackendState.DEGRADED && instance != null
          && backend.claimClose(instance)) {
        open.add(backend);
      }
    }
    Round<Object> round = new Round<>(threads, "close", open, settings.callTimeout(),
        (storage, slot) -> {
          storage.close();
          return Tally.SUCCESS;
        });
    direct.execute(round);
    for (Round.Slot<Object> slot : round.slots()) {
      if (slot.outcome() != Round.Outcome.SUCCESS) {
        log.warn("RAID '{}': backend '{}' did not close cleanly: {}", name,
            slot.backend().name(), slot.failureReason());
      }
    }
    if (!supervisor.awaitClosing(settings.callTimeout())) {
      log.warn("RAID '{}': some degraded backends are still closing", name);
    }
    log.info("RAID '{}' is closed{}", name, closeReason.isEmpty() ? "" : ": " + closeReason);
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
    private TidGenerator tids = TidGenerator.system();

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

    /** Sets the read policy: {@link ReadPolicy#RANDOM} (default) or {@code ROUND_ROBIN}. */
    public Builder readPolicy(ReadPolicy policy) {
      this.readPolicy = Objects.requireNonNull(policy, "readPolicy");
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
          autoRecover, recoveryRateLimit, tids);
      RaidStorage raid = new RaidStorage(settings, chooseFanOut());
      Startup.run(raid);
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
