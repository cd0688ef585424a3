package org.loomraid.raid;

/**
 * Emits the RAID's JFR events ({@code org.loomraid.*}; see the package documentation). Each method
 * first asks whether a recording wants its event and returns at once if none does, before reading
 * or building anything: with JFR off an event costs one check the JIT folds away, and no
 * allocation.
 */
final class Telemetry {

  private Telemetry() {}

  /** Emits a {@code SlotOutcome} event for every slot of a judged round. */
  static void judged(Round<?> round) {
    if (!SlotOutcomeEvent.wanted()) {
      return;
    }
    String raid = round.threads().raid();
    for (Round.Slot<?> slot : round.slots()) {
      SlotOutcomeEvent event = new SlotOutcomeEvent();
      event.raid = raid;
      event.backend = slot.backend().name();
      event.operation = round.operation();
      event.stage = slot.stage();
      event.outcome = slot.outcome().name();
      event.callDuration = slot.nanos();
      event.commit();
    }
  }

  /** Emits a {@code BackendTransition} event. */
  static void transition(BackendTransition transition) {
    if (!BackendTransitionEvent.wanted()) {
      return;
    }
    BackendTransitionEvent event = new BackendTransitionEvent();
    event.raid = transition.raid();
    event.backend = transition.name();
    event.from = transition.from() == null ? "" : transition.from().name();
    event.to = transition.to().name();
    event.reason = transition.reason();
    event.commit();
  }

  /** Emits a {@code RecoveryProgress} event with the recovery's progress now. */
  static void recovery(String raid, RecoveryHandle recovery) {
    if (!RecoveryProgressEvent.wanted()) {
      return;
    }
    RecoveryProgress progress = recovery.progress();
    RecoveryProgressEvent event = new RecoveryProgressEvent();
    event.raid = raid;
    event.backend = progress.backend();
    event.phase = progress.phase().name();
    event.transactionsCopied = progress.transactionsCopied();
    event.transactionsTotal = progress.transactionsTotal();
    event.bytesCopied = progress.bytesCopied();
    event.bytesTotal = progress.bytesTotal();
    event.bytesPerSecond = progress.bytesPerSecond();
    event.elapsed = progress.elapsed().toNanos();
    event.failure = progress.failure();
    event.commit();
  }

  /**
   * Emits a {@code ScrubProgress} event with the scrub's progress now: the scrub calls it at each
   * change of phase, after each batch it compared, and at its end.
   */
  static void scrub(String raid, ScrubHandle scrub) {
    if (!ScrubProgressEvent.wanted()) {
      return;
    }
    ScrubProgress progress = scrub.progress();
    ScrubProgressEvent event = new ScrubProgressEvent();
    event.raid = raid;
    event.phase = progress.phase().name();
    event.transactionsCompared = progress.transactionsCompared();
    event.transactionsTotal = progress.transactionsTotal();
    event.bytesCompared = progress.bytesCompared();
    event.bytesTotal = progress.bytesTotal();
    event.elapsed = progress.elapsed().toNanos();
    event.bytesPerSecond = progress.bytesPerSecond();
    event.failure = progress.failure();
    event.commit();
  }

  /**
   * Starts tracing one transaction at its vote: returns its {@code Commit} event, begun, or null
   * when no recording wants it (the transaction then traces nothing).
   */
  static CommitEvent commitStarted(String raid) {
    if (!CommitEvent.wanted()) {
      return null;
    }
    CommitEvent event = new CommitEvent();
    event.raid = raid;
    event.begin();
    return event;
  }

  /** Starts a {@code HedgedRead} event, or returns null when no recording wants it. */
  static HedgedReadEvent hedgeStarted() {
    if (!HedgedReadEvent.wanted()) {
      return null;
    }
    HedgedReadEvent event = new HedgedReadEvent();
    event.begin();
    return event;
  }
}
