package org.loomraid.raid;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares every optimal backend's history with the others', on its own virtual thread; the
 * {@link ScrubHandle} of that work. An explicit phase machine like {@link Recovery}: each phase is
 * a step that returns the next phase (or a failure), cancellation is checked in one place, between
 * steps, and nothing uses exceptions to steer.
 *
 * <ol>
 *   <li>{@code STARTING}: wait for a running pack to end (a scrub holds the maintenance lock
 *       shared, as a recovery does, so a pack never changes the records being compared); fix the
 *       backends to compare (those optimal now) and the end (the RAID's settled tid: every optimal
 *       backend holds every transaction up to it, so writers committing meanwhile never
 *       interfere).</li>
 *   <li>{@code COMPARING}: in bounded steps, read the next batch of each backend's history (one
 *       virtual thread per backend, the call timeout, a batch per step) and compare transaction by
 *       transaction in tid order: tid, metadata and data. At each tid the backends split into
 *       groups of identical content (a backend lacking the transaction is a group of its own). A
 *       group larger than half of the backends compared is the majority: every backend outside it
 *       is taken out of service, "diverged at …", naming the tid and the object, and (with repair)
 *       recovered from the majority. Without a majority (two backends that differ) the difference is
 *       reported and nothing is taken out of service. The optional rate limit waits between
 *       steps.</li>
 *   <li>{@code REPAIRING}: wait for the recoveries it started.</li>
 * </ol>
 *
 * <p>A record some backends lack is not a divergence when every backend lacking it holds a later
 * revision of its object as of the end: a pack dropped it there (see {@link RecordComparison}).
 * A backend that leaves service during the scrub (for any reason), or whose instance is replaced,
 * leaves the comparison; with fewer than two left the scrub fails. A backend call that fails is the
 * backend's failure, as for any read: it is taken out of service. The scrub never takes the RAID
 * commit lock. What it compared is remembered when it stops before its end, so that the next scrub
 * continues from there.
 */
final class Scrub implements ScrubHandle {

  private static final Logger log = LoggerFactory.getLogger(Scrub.class);

  /** The most records one step reads from one backend. */
  static final int BATCH_RECORDS = 512;

  /**
   * The most object data one step reads from one backend (a batch ends after the record that
   * reaches it).
   */
  static final long BATCH_BYTES = 4L * 1024 * 1024;

  /** How many steps in a row may fail to read a backend (without it failing) before it leaves. */
  private static final int MAX_READ_TRIES = 3;

  /**
   * Where a scrub starts: after a tid, and how much of the pass had been compared before it.
   *
   * @param after the last transaction compared, {@link Tid#NONE} for the start of history
   * @param transactions transactions compared up to it
   * @param bytes bytes compared up to it
   */
  record Resume(Tid after, long transactions, long bytes) {
    static final Resume START = new Resume(Tid.NONE, 0, 0);
  }

  /** What a phase's step decided: the next phase, or the reason the scrub failed. */
  private record Step(ScrubPhase next, String failure) {
    static Step to(ScrubPhase next) {
      return new Step(next, null);
    }

    static Step fail(String reason) {
      return new Step(ScrubPhase.FAILED, reason);
    }
  }

  /** One batch a backend read: its iterator, the records up to the end, whether it reached it. */
  private record Batch(TransactionIterator iterator, List<TransactionRecord> records,
      boolean ended) {}

  /** A backend being compared, with the instance it is compared on and what it read ahead. */
  private static final class Participant {
    final Backend backend;
    final Storage instance;
    final ArrayDeque<TransactionRecord> buffered = new ArrayDeque<>();
    TransactionIterator iterator;
    Tid fetched;
    boolean ended;
    int failedReads;

    Participant(Backend backend, Storage instance, Tid after) {
      this.backend = backend;
      this.instance = instance;
      this.fetched = after;
    }

    TransactionRecord head() {
      return buffered.peek();
    }

    /** A participant for naming only, before the scrub has fixed its backends. */
    static Participant of(Backend backend) {
      return new Participant(backend, null, Tid.NONE);
    }
  }

  /** Backends whose head holds the same content, or that all lack the transaction (no record). */
  private record Group(TransactionRecord record, List<Participant> members) {}

  private final Engine engine;
  private final Scrubber scrubber;
  private final ScrubOptions options;
  private final Resume from;
  private final long startNanos = System.nanoTime();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicLong transactionsCompared = new AtomicLong();
  private final AtomicLong bytesCompared = new AtomicLong();
  private final List<ScrubFinding> findings = new CopyOnWriteArrayList<>();
  private final List<Recovery> repairs = new CopyOnWriteArrayList<>();
  private volatile ScrubPhase phase = ScrubPhase.STARTING;
  private volatile List<String> compared = List.of();
  private volatile Map<String, String> left = Map.of();
  private volatile Tid end = Tid.NONE;
  private volatile Tid position;
  private volatile long transactionsTotal;
  private volatile long bytesTotal;
  private volatile long differences;
  private volatile long droppedByPack;
  private volatile long endNanos;
  private volatile String failure = "";
  private volatile String cancelReason;
  private volatile Thread thread;

  // Used by the scrub thread only.
  private final List<Participant> active = new ArrayList<>();
  private boolean comparisonOver;
  private boolean reportedNoMajority;

  Scrub(Engine engine, Scrubber scrubber, ScrubOptions options, Resume from) {
    this.engine = engine;
    this.scrubber = scrubber;
    this.options = options;
    this.from = from;
    this.position = from.after();
    this.compared = names(engine.roster().optimal().stream().map(Participant::of).toList());
  }

  /** Starts the scrub's thread; once. */
  void start() {
    Thread created = engine.threads().newThread(engine.threads().threadName("scrub"), this::run);
    thread = created;
    created.start();
  }

  // ---------------------------------------------------------------------------------------------
  // ScrubHandle

  @Override
  public ScrubProgress progress() {
    long stopped = endNanos;
    long elapsed = (stopped == 0 ? System.nanoTime() : stopped) - startNanos;
    long bytes = bytesCompared.get();
    long count = transactionsCompared.get();
    double rate = elapsed <= 0 ? 0 : bytes / (elapsed / 1e9);
    List<RecoveryProgress> repairing = new ArrayList<>(repairs.size());
    for (Recovery recovery : repairs) {
      repairing.add(recovery.progress());
    }
    return new ScrubProgress(phase, options.repair(), compared, from.after(), end, position, count,
        Math.max(count, transactionsTotal), bytes, Math.max(bytes, bytesTotal),
        Duration.ofNanos(elapsed), rate, findings, differences, droppedByPack, left, repairing,
        failure);
  }

  @Override
  public boolean isDone() {
    return done.getCount() == 0;
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void cancel() {
    cancel("scrub cancelled");
  }

  /** Cancels with {@code reason}; see {@link #cancel()}. Takes effect at the next step. */
  void cancel(String reason) {
    if (isDone() || cancelReason != null) {
      return;
    }
    cancelReason = reason;
    Thread running = thread;
    if (running != null) {
      running.interrupt();
    }
  }

  @Override
  public String toString() {
    return "Scrub[" + engine.name() + ", " + phase + "]";
  }

  /** Describes how far it got: {@code COMPARING, 120 of 5000 transactions compared}. */
  String describe() {
    ScrubProgress p = progress();
    return p.phase() + ", " + p.transactionsCompared() + " of " + p.transactionsTotal()
        + " transactions compared";
  }

  // ---------------------------------------------------------------------------------------------
  // The phase machine

  private void run() {
    boolean maintenance = false;
    ScrubPhase current = ScrubPhase.STARTING;
    ScrubPhase reported = null;
    String reason = "";
    try {
      try {
        engine.maintenance().readLock().lockInterruptibly();
        maintenance = true;
      } catch (InterruptedException e) {
        // cancelled while a pack ran: the loop below sees the cancel
      }
      while (!current.isFinal()) {
        String cancelled = cancelReason;
        if (cancelled != null || !maintenance) {
          current = ScrubPhase.CANCELLED;
          reason = cancelled != null ? cancelled : "scrub cancelled";
          break;
        }
        phase = current;
        if (current != reported) {
          reported = current;
          Telemetry.scrub(engine.name(), this);
        }
        Step step = switch (current) {
          case STARTING -> begin();
          case COMPARING -> compare();
          case REPAIRING -> awaitRepairs();
          default -> throw new IllegalStateException("not a working phase: " + current);
        };
        Thread.interrupted(); // a cancel's interrupt has done its work: it woke the step
        if (cancelReason != null && step.next() != ScrubPhase.DONE) {
          continue; // whatever the step met on its way out, the cancel is the reason
        }
        if (step.failure() != null) {
          reason = "scrub failed in " + current.name().toLowerCase(Locale.ROOT) + ": "
              + step.failure();
        }
        current = step.next();
      }
    } catch (RuntimeException | Error e) {
      current = ScrubPhase.FAILED;
      reason = "scrub failed in " + phase.name().toLowerCase(Locale.ROOT) + ": "
          + Durations.describe(e);
      if (e instanceof VirtualMachineError error) {
        end(current, reason, maintenance);
        throw error;
      }
    }
    end(current, reason, maintenance);
  }

  /** Ends the scrub in {@code last}: closes what it opened and remembers where it stopped. */
  private void end(ScrubPhase last, String reason, boolean maintenance) {
    try {
      Thread.interrupted();
      for (Participant participant : active) {
        closeIterator(participant);
      }
      active.clear();
      if (last == ScrubPhase.DONE) {
        ScrubProgress p = progress();
        if (p.differences() == 0) {
          log.info("RAID '{}': scrub done: {} transactions, {} bytes compared on {} in {}; no"
              + " divergence", engine.name(), p.transactionsCompared(), p.bytesCompared(),
              quoted(p.backends()), Durations.format(p.elapsed()));
        } else {
          log.warn("RAID '{}': scrub done: {} transactions compared in {}; {} difference(s): {}",
              engine.name(), p.transactionsCompared(), Durations.format(p.elapsed()),
              p.differences(), p.findings().isEmpty() ? "" : p.findings().get(0).describe());
        }
      } else {
        failure = reason;
        if (!comparisonOver) {
          scrubber.stopped(this, new Resume(position,
              from.transactions() + transactionsCompared.get(),
              from.bytes() + bytesCompared.get()));
        }
        log.warn("RAID '{}': {} after {} transactions (up to {}); the next scrub resumes there",
            engine.name(), reason, transactionsCompared.get(), position);
      }
    } finally {
      if (maintenance) {
        engine.maintenance().readLock().unlock();
      }
      endNanos = System.nanoTime();
      phase = last;
      Telemetry.scrub(engine.name(), this);
      done.countDown();
    }
  }

  /** Fixes the backends to compare and the end, and estimates the work. */
  private Step begin() {
    if (engine.lifecycle().isClosed()) {
      return Step.fail("the RAID closed");
    }
    List<Backend> optimal = engine.roster().optimal();
    if (optimal.size() < 2) {
      return Step.fail(tooFew(optimal.size(), "optimal backends"));
    }
    CommitGate gate = engine.gate();
    end = gate.settled();
    List<String> names = new ArrayList<>(optimal.size());
    for (Backend backend : optimal) {
      active.add(new Participant(backend, backend.storage(), from.after()));
      names.add(backend.name());
    }
    compared = List.copyOf(names);
    transactionsTotal = Math.max(0, gate.committedCount() - from.transactions());
    Participant first = active.get(0);
    Verdict<Long> sized = single("scrub (stats)", first,
        (storage, slot) -> storage.stats().bytes());
    Round.Slot<Long> slot = sized.round().slots()[0];
    if (slot.outcome() == Outcome.SUCCESS) {
      bytesTotal = Math.max(0, slot.value() - from.bytes());
    }
    log.info("RAID '{}': scrub{} of {} up to {}{}", engine.name(),
        options.repair() ? " (repairing)" : "", quoted(names), end,
        from.after().isNone() ? "" : ", resuming after " + from.after());
    return Step.to(ScrubPhase.COMPARING);
  }

  /**
   * One step of the comparison: drops the backends that left service, reads the next batch of each
   * backend that needs one, compares as far as every backend has read, then waits for the rate
   * limit.
   */
  private Step compare() {
    if (engine.lifecycle().isClosed()) {
      return Step.fail("the RAID closed");
    }
    retire();
    if (active.size() < 2) {
      return Step.fail(tooFew(active.size(), "backends left to compare"));
    }
    long bytesBefore = bytesCompared.get();
    long stepStart = System.nanoTime();
    read();
    if (cancelReason != null) {
      return Step.to(ScrubPhase.COMPARING);
    }
    retire();
    if (active.size() < 2) {
      return Step.fail(tooFew(active.size(), "backends left to compare"));
    }
    while (ready()) {
      Tid next = nextTid();
      if (next == null) {
        return finish();
      }
      compareAt(next);
    }
    Telemetry.scrub(engine.name(), this);
    limitRate(stepStart, bytesCompared.get() - bytesBefore);
    return Step.to(ScrubPhase.COMPARING);
  }

  /** The comparison reached the end: the pass is complete. */
  private Step finish() {
    comparisonOver = true;
    position = end;
    scrubber.completed(this);
    for (Participant participant : active) {
      closeIterator(participant);
    }
    return repairs.isEmpty() ? Step.to(ScrubPhase.DONE) : Step.to(ScrubPhase.REPAIRING);
  }

  /** Waits for the recoveries this scrub started; a cancel stops the wait, not the recoveries. */
  private Step awaitRepairs() {
    for (Recovery recovery : repairs) {
      try {
        while (!recovery.await(engine.settings().callTimeout())) {
          if (cancelReason != null) {
            return Step.to(ScrubPhase.REPAIRING);
          }
        }
      } catch (InterruptedException e) {
        return Step.to(ScrubPhase.REPAIRING); // a cancel: the loop sees it
      }
    }
    return Step.to(ScrubPhase.DONE);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Drops every backend that left service, or whose instance was replaced, since the last step. */
  private void retire() {
    for (Participant participant : List.copyOf(active)) {
      Backend backend = participant.backend;
      if (backend.state() != BackendState.OPTIMAL || backend.storage() != participant.instance) {
        leave(participant, "left service after " + position + ": "
            + (backend.state() == BackendState.OPTIMAL ? "its instance was replaced"
                : backend.state() + " " + backend.reason()));
      }
    }
  }

  /** Removes a backend from the comparison, noting why. */
  private void leave(Participant participant, String why) {
    active.remove(participant);
    closeIterator(participant);
    Map<String, String> updated = new LinkedHashMap<>(left);
    updated.put(participant.backend.name(), why);
    left = updated;
    log.info("RAID '{}': scrub goes on without backend '{}': {}", engine.name(),
        participant.backend.name(), why);
  }

  /**
   * Reads the next batch of every backend that has nothing buffered, all at once (a virtual thread
   * each, bounded by the call timeout). A backend that fails or does not answer is taken out of
   * service, by the outcome model (unless the RAID was overloaded or the scrub cancelled);
   * otherwise it is asked again at the next step, and leaves after {@value #MAX_READ_TRIES} tries.
   */
  private void read() {
    List<Participant> needing = new ArrayList<>();
    for (Participant participant : active) {
      if (participant.buffered.isEmpty() && !participant.ended) {
        needing.add(participant);
      }
    }
    if (needing.isEmpty()) {
      return;
    }
    long maxBytes = batchBytes();
    Tid last = end;
    List<Backend> targets = new ArrayList<>(needing.size());
    List<Storage> instances = new ArrayList<>(needing.size());
    for (Participant participant : needing) {
      targets.add(participant.backend);
      instances.add(participant.instance);
    }
    Round<Batch> round = new Round<>(engine.threads(), "scrub", targets, instances,
        engine.settings().callTimeout(), Round.Kind.QUERY, false,
        (storage, slot) -> readBatch(needing.get(slot.index()), storage, last, maxBytes, slot));
    Verdict<Batch> verdict = execute(round);
    for (Round.Slot<Batch> slot : round.slots()) {
      Participant participant = needing.get(slot.index());
      Outcome outcome = slot.outcome();
      if (outcome == Outcome.SUCCESS) {
        Batch batch = slot.value();
        participant.iterator = batch.iterator();
        participant.buffered.addAll(batch.records());
        if (!batch.records().isEmpty()) {
          participant.fetched = batch.records().get(batch.records().size() - 1).tid();
        }
        participant.ended = batch.ended();
        participant.failedReads = 0;
        if (participant.ended) {
          closeIterator(participant);
        }
        continue;
      }
      // The iterator is the slot's attachment: closed below, or by a late thread when it ends.
      participant.iterator = null;
      AutoCloseable leftover = slot.leftover();
      boolean cancelled = cancelReason != null && !outcome.finished();
      if (!cancelled && outcome.blamesBackend()
          && (outcome != Outcome.NO_RESPONSE || !verdict.overloaded())) {
        if (engine.supervisor().degrade(participant.backend, participant.instance,
            slot.failureReason(), leftover)) {
          continue; // it left service: the next retire() drops it
        }
        leftover = null; // closed by the degradation's attempt
      }
      if (leftover != null) {
        engine.supervisor().closeInBackground(participant.backend, null, leftover);
      }
      if (!cancelled && ++participant.failedReads >= MAX_READ_TRIES) {
        leave(participant, "could not be read after " + participant.fetched + ": "
            + slot.failureReason());
      }
    }
  }

  /**
   * Reads up to one batch (by count, bytes, and half the call timeout) of records up to
   * {@code last}, opening the backend's iterator after what it read so far if it has none.
   */
  private Batch readBatch(Participant participant, Storage storage, Tid last, long maxBytes,
      Round.Slot<Batch> slot) {
    TransactionIterator iterator = participant.iterator;
    if (iterator == null) {
      iterator = storage.transactions(participant.fetched);
    }
    slot.attach(iterator);
    List<TransactionRecord> records = new ArrayList<>();
    long bytes = 0;
    long deadline = System.nanoTime() + engine.settings().callTimeout().toNanos() / 2;
    while (records.size() < BATCH_RECORDS && bytes < maxBytes) {
      if (cancelReason != null || slot.state() != Round.CALLING) {
        break;
      }
      if (!iterator.hasNext()) {
        return new Batch(iterator, records, true);
      }
      TransactionRecord record = iterator.next();
      if (record.tid().isAfter(last)) {
        return new Batch(iterator, records, true);
      }
      records.add(record);
      bytes += record.dataLength();
      if (System.nanoTime() - deadline > 0) {
        break;
      }
    }
    return new Batch(iterator, records, false);
  }

  /** Runs {@code call} on one backend's instance, as a bounded step; judged by the caller. */
  private <T> Verdict<T> single(String operation, Participant participant, Round.Call<T> call) {
    Round<T> round = new Round<>(engine.threads(), operation, List.of(participant.backend),
        List.of(participant.instance), engine.settings().callTimeout(), Round.Kind.QUERY, false,
        call);
    return execute(round);
  }

  /**
   * Starts every slot on a thread of its own and waits for them (a cancel cuts the wait short);
   * rethrows what no backend may be blamed for.
   */
  private <T> Verdict<T> execute(Round<T> round) {
    for (Round.Slot<T> slot : round.slots()) {
      slot.start();
    }
    round.awaitAll(() -> cancelReason != null);
    round.abandonUnfinished(true);
    Verdict<T> verdict = Verdict.of(round, value -> Verdict.SUCCESS);
    Dispatcher.rethrowSevere(verdict);
    return verdict;
  }

  private long batchBytes() {
    return RateLimit.batchBytes(engine.settings().scrubRateLimit(), BATCH_BYTES);
  }

  /**
   * Waits as long as needed to keep this step's comparison rate at or below the configured limit.
   * Holds no lock but the maintenance lock (shared); a cancel cuts the wait short. Every step
   * compares at least one transaction, so a scrub always makes progress.
   */
  private void limitRate(long stepStart, long bytes) {
    RateLimit.await(engine.settings().scrubRateLimit(), stepStart, bytes,
        () -> cancelReason != null, this);
  }

  /** Closes a backend's iterator: in the background unless its reads never block. */
  private void closeIterator(Participant participant) {
    TransactionIterator open = participant.iterator;
    participant.iterator = null;
    if (open == null) {
      return;
    }
    if (participant.instance.readsNeverBlock()) {
      Closing.quietly(open, participant.backend, "scrub");
    } else {
      engine.supervisor().closeInBackground(participant.backend, null, open);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Comparing

  /** Returns whether every backend has read past the next transaction to compare, or ended. */
  private boolean ready() {
    for (Participant participant : active) {
      if (participant.buffered.isEmpty() && !participant.ended) {
        return false;
      }
    }
    return true;
  }

  /** Returns the lowest tid any backend holds next, or null if every backend has ended. */
  private Tid nextTid() {
    Tid lowest = null;
    for (Participant participant : active) {
      TransactionRecord head = participant.head();
      if (head != null && (lowest == null || head.tid().isBefore(lowest))) {
        lowest = head.tid();
      }
    }
    return lowest;
  }

  /** Compares every backend at transaction {@code tid} and acts on what it finds. */
  private void compareAt(Tid tid) {
    List<Participant> holders = new ArrayList<>();
    List<Participant> lacking = new ArrayList<>();
    for (Participant participant : active) {
      TransactionRecord head = participant.head();
      (head != null && head.tid().equals(tid) ? holders : lacking).add(participant);
    }
    List<Oid> ignored = holders.size() < 2 ? List.of() : explainedByPack(holders, tid);
    List<Group> groups = group(holders, lacking, ignored);
    Group largest = groups.get(0);
    int backends = active.size();
    if (groups.size() > 1) {
      if (largest.members().size() * 2 > backends) {
        for (Group group : groups.subList(1, groups.size())) {
          for (Participant participant : group.members()) {
            diverged(participant, group.record(), largest, tid, ignored);
          }
        }
      } else {
        noMajority(groups, tid, ignored);
      }
    }
    TransactionRecord counted = largest.record() != null ? largest.record()
        : holders.get(0).head();
    for (Participant participant : holders) {
      participant.buffered.poll();
    }
    position = tid;
    transactionsCompared.incrementAndGet();
    bytesCompared.addAndGet(counted.dataLength());
  }

  /**
   * Groups the backends by the content they hold at this tid (ignoring the records a pack
   * explains), the backends lacking the transaction as one group; largest group first, ties in
   * configuration order (the order of their first members).
   */
  private static List<Group> group(List<Participant> holders, List<Participant> lacking,
      List<Oid> ignored) {
    List<Group> groups = new ArrayList<>();
    for (Participant holder : holders) {
      Group home = null;
      for (Group group : groups) {
        if (RecordComparison.sameContent(group.record(), holder.head(), ignored)) {
          home = group;
          break;
        }
      }
      if (home == null) {
        home = new Group(holder.head(), new ArrayList<>());
        groups.add(home);
      }
      home.members().add(holder);
    }
    if (!lacking.isEmpty()) {
      groups.add(new Group(null, new ArrayList<>(lacking)));
    }
    groups.sort((a, b) -> {
      int bySize = Integer.compare(b.members().size(), a.members().size());
      return bySize != 0 ? bySize
          : Integer.compare(a.members().get(0).backend.index(), b.members().get(0).backend.index());
    });
    return groups;
  }

  /**
   * Returns the oids whose records some holders of this transaction lack where every holder lacking
   * one holds a later revision of its object as of the end (its pack dropped the record): those
   * differences are not divergences. Asks the backends concerned in one bounded step; a backend
   * that cannot be asked explains nothing.
   */
  private List<Oid> explainedByPack(List<Participant> holders, Tid tid) {
    List<TransactionRecord> heads = new ArrayList<>(holders.size());
    for (Participant holder : holders) {
      heads.add(holder.head());
    }
    List<Oid> uneven = RecordComparison.unevenlyKept(heads);
    if (uneven.isEmpty()) {
      return List.of();
    }
    List<Participant> asked = new ArrayList<>();
    List<List<Oid>> questions = new ArrayList<>();
    for (Participant holder : holders) {
      Set<Oid> held = new HashSet<>();
      holder.head().records().forEach(record -> held.add(record.oid()));
      List<Oid> missing = uneven.stream().filter(oid -> !held.contains(oid)).toList();
      if (!missing.isEmpty()) {
        asked.add(holder);
        questions.add(missing);
      }
    }
    Tid asOf = end;
    List<Backend> targets = asked.stream().map(p -> p.backend).toList();
    List<Storage> instances = asked.stream().map(p -> p.instance).toList();
    Round<Set<Oid>> round = new Round<>(engine.threads(), "scrub (loadBefore)", targets,
        new ArrayList<>(instances), engine.settings().callTimeout(), Round.Kind.QUERY, false,
        (storage, slot) -> superseded(storage, questions.get(slot.index()), tid, asOf));
    execute(round);
    List<Oid> explained = new ArrayList<>(uneven);
    for (Round.Slot<Set<Oid>> slot : round.slots()) {
      Set<Oid> answer = slot.outcome() == Outcome.SUCCESS ? slot.value() : Set.of();
      for (Oid oid : questions.get(slot.index())) {
        if (!answer.contains(oid)) {
          explained.remove(oid);
        }
      }
    }
    if (!explained.isEmpty()) {
      droppedByPack += explained.size();
    }
    return explained;
  }

  /**
   * Returns those of {@code oids} of which {@code storage} holds a revision after {@code tid}, as
   * of {@code asOf}.
   */
  private static Set<Oid> superseded(Storage storage, List<Oid> oids, Tid tid, Tid asOf) {
    Set<Oid> found = new HashSet<>();
    for (Oid oid : oids) {
      Optional<Revision> current;
      try {
        current = asOf.equals(Tid.MAX) ? Optional.of(storage.load(oid))
            : storage.loadBefore(oid, asOf.next());
      } catch (ObjectNotFoundException e) {
        continue;
      }
      if (current.isPresent() && current.get().serial().isAfter(tid)) {
        found.add(oid);
      }
    }
    return found;
  }

  /**
   * A backend disagrees with the majority at {@code tid}: reports it, takes it out of service
   * ("diverged at …") and, with repair, recovers it from the majority.
   */
  private void diverged(Participant participant, TransactionRecord mine, Group majority, Tid tid,
      List<Oid> ignored) {
    String majorityNames = quoted(names(majority.members()));
    RecordComparison.Difference difference =
        difference(mine, majority.record(), "it", "the majority", tid, ignored);
    String detail = difference.detail() + " (the majority: " + majorityNames + ")";
    Backend backend = participant.backend;
    ScrubFinding finding = new ScrubFinding(ScrubFinding.Kind.DIVERGED, List.of(backend.name()),
        tid, Optional.ofNullable(difference.oid()), detail);
    record(finding);
    log.error("RAID '{}': scrub: {}", engine.name(), finding.describe());
    active.remove(participant);
    TransactionIterator iterator = participant.iterator;
    participant.iterator = null;
    String reason = "diverged at " + tid
        + (difference.oid() == null ? "" : ", " + difference.oid()) + ": " + detail
        + ", found by scrub";
    boolean degraded = engine.supervisor().degrade(backend, participant.instance, reason, iterator);
    if (!degraded) {
      if (iterator != null) {
        engine.supervisor().closeInBackground(backend, null, iterator);
      }
      log.info("RAID '{}': scrub: backend '{}' had already left service", engine.name(),
          backend.name());
      return;
    }
    if (options.repair()) {
      repair(backend);
    }
  }

  /** The backends split at {@code tid} with no majority: reports it, changes nothing. */
  private void noMajority(List<Group> groups, Tid tid, List<Oid> ignored) {
    differences++;
    if (findings.size() >= ScrubProgress.MAX_FINDINGS) {
      return;
    }
    Group first = groups.get(0);
    Group second = groups.get(1);
    String firstNames = quoted(names(first.members()));
    String secondNames = quoted(names(second.members()));
    RecordComparison.Difference difference =
        difference(first.record(), second.record(), firstNames, secondNames, tid, ignored);
    String detail = difference.detail()
        + (groups.size() > 2 ? " (" + groups.size() + " groups, none a majority)" : "")
        + "; nothing is taken out of service or repaired";
    List<Participant> all = new ArrayList<>();
    for (Group group : groups) {
      all.addAll(group.members());
    }
    all.sort((a, b) -> Integer.compare(a.backend.index(), b.backend.index()));
    ScrubFinding finding = new ScrubFinding(ScrubFinding.Kind.NO_MAJORITY, names(all), tid,
        Optional.ofNullable(difference.oid()), detail);
    findings.add(finding);
    if (!reportedNoMajority) {
      reportedNoMajority = true;
      log.error("RAID '{}': scrub: {}", engine.name(), finding.describe());
    }
  }

  /** The first difference between two groups' content at {@code tid} (null: lacks it). */
  private static RecordComparison.Difference difference(TransactionRecord mine,
      TransactionRecord theirs, String mineName, String theirsName, Tid tid, List<Oid> ignored) {
    if (mine == null) {
      return new RecordComparison.Difference(tid, null,
          mineName + " lacks this transaction, which " + theirsName + " holds");
    }
    if (theirs == null) {
      return new RecordComparison.Difference(tid, null,
          mineName + " holds this transaction, which " + theirsName + " does not");
    }
    RecordComparison.Difference difference = RecordComparison.compare(mine, theirs, mineName,
        theirsName, (oid, t) -> ignored.contains(oid), (oid, t) -> ignored.contains(oid));
    if (difference == null) {
      throw new IllegalStateException("grouped apart, but no difference at " + tid);
    }
    return difference;
  }

  private void record(ScrubFinding finding) {
    differences++;
    if (findings.size() < ScrubProgress.MAX_FINDINGS) {
      findings.add(finding);
    }
  }

  /** Starts recovering a backend this scrub took out of service, from the optimal ones. */
  private void repair(Backend backend) {
    if (engine.lifecycle().isClosed()) {
      return;
    }
    BackendTransition transition = engine.roster().transition(backend, BackendState.RECOVERING,
        "recovery started", BackendState.DEGRADED);
    if (transition == null) {
      log.warn("RAID '{}': scrub cannot repair backend '{}': it is {} meanwhile", engine.name(),
          backend.name(), backend.state());
      return;
    }
    engine.supervisor().publish(transition);
    repairs.add(Recovery.start(engine, backend));
    log.info("RAID '{}': scrub repairs backend '{}': recovering it from {}", engine.name(),
        backend.name(), quoted(names(active)));
  }

  private String tooFew(int count, String what) {
    String counted = count == 1 ? what.replaceFirst("backends", "backend") : what;
    return "a scrub compares two or more backends, and RAID '" + engine.name() + "' has "
        + count + " " + counted + " (" + engine.roster().describe() + ")"
        + (left.isEmpty() ? "" : "; left: " + left);
  }

  private static List<String> names(List<Participant> participants) {
    List<String> names = new ArrayList<>(participants.size());
    for (Participant participant : participants) {
      names.add(participant.backend.name());
    }
    return names;
  }

  /** Quotes names for messages: {@code 'a', 'b'}. */
  static String quoted(List<String> names) {
    StringBuilder text = new StringBuilder();
    for (String name : names) {
      text.append(text.isEmpty() ? "" : ", ").append('\'').append(name).append('\'');
    }
    return text.toString();
  }
}
