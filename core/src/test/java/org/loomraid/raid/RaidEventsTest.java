package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * The RAID's flight recorder events arrive, recorded with a {@link RecordingStream}, with the
 * fields that describe what happened: commits with their phases, every backend call's outcome,
 * transitions, recovery progress, and the scrub's progress event.
 */
class RaidEventsTest {

  private static final List<String> EVENTS = List.of(CommitEvent.NAME, SlotOutcomeEvent.NAME,
      BackendTransitionEvent.NAME, RecoveryProgressEvent.NAME, ScrubProgressEvent.NAME,
      HedgedReadEvent.NAME);

  private RecordingStream stream;
  private boolean stopped;
  private final List<RecordedEvent> recorded = new CopyOnWriteArrayList<>();

  @BeforeEach
  void record() {
    stream = new RecordingStream();
    for (String name : EVENTS) {
      stream.enable(name);
      stream.onEvent(name, recorded::add);
    }
    stream.startAsync();
  }

  @AfterEach
  void stopRecording() {
    stream.close();
  }

  /** Stops the recording (delivering everything pending) and returns the events of that name. */
  private List<RecordedEvent> events(String name) {
    if (!stopped) {
      stopped = true;
      stream.stop();
    }
    return recorded.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }

  @Test
  void aCommitIsOneEventWithItsTidBackendsAndPhases() {
    try (Fixture f = Fixture.of(3)) {
      RaidStorage raid = f.open();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      assertThrows(ConflictException.class, () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v2"));

      List<RecordedEvent> commits = events(CommitEvent.NAME);
      assertEquals(2, commits.size(), commits.toString());
      RecordedEvent committed = commits.get(0);
      assertEquals("r", committed.getString("raid"));
      assertEquals(tid.value(), committed.getLong("tid"));
      assertEquals(3, committed.getInt("backends"));
      assertEquals(3, committed.getInt("applied"));
      assertEquals("committed", committed.getString("outcome"));
      assertTrue(committed.getDuration("vote").toNanos() > 0);
      assertTrue(committed.getDuration("commit").toNanos() > 0);
      assertFalse(committed.getDuration("lockWait").isNegative());
      assertTrue(committed.getDuration().compareTo(committed.getDuration("vote")) >= 0,
          "the event spans the phases");

      RecordedEvent conflict = commits.get(1);
      assertEquals("ConflictException", conflict.getString("outcome"));
      assertEquals(0, conflict.getInt("applied"));
    }
  }

  @Test
  void everyBackendCallOfAFanOutAndOfAReadIsAnOutcomeEvent() {
    try (Fixture f = Fixture.of(3)) {
      f.builder.readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      f.faulty(1).on(Operation.LOAD).failAlways();
      for (int i = 0; i < 3; i++) {
        raid.load(Oid.of(1));
      }

      List<RecordedEvent> slots = events(SlotOutcomeEvent.NAME);
      List<RecordedEvent> votes = slots.stream()
          .filter(e -> e.getString("operation").equals("vote")).toList();
      assertEquals(List.of("a", "b", "c"),
          votes.stream().map(e -> e.getString("backend")).sorted().toList());
      for (RecordedEvent vote : votes) {
        assertEquals("r", vote.getString("raid"));
        assertEquals("SUCCESS", vote.getString("outcome"));
        assertEquals("vote", vote.getString("stage"));
        assertTrue(vote.getDuration("callDuration").toNanos() > 0);
      }
      assertEquals(3, slots.stream().filter(e -> e.getString("operation").equals("commit"))
          .count());
      RecordedEvent failed = slots.stream()
          .filter(e -> e.getString("outcome").equals("FAILURE")).findFirst().orElseThrow();
      assertEquals("b", failed.getString("backend"));
      assertEquals("load", failed.getString("operation"));
      assertTrue(slots.stream().anyMatch(e -> e.getString("operation").equals("load")
          && e.getString("outcome").equals("SUCCESS")));
    }
  }

  @Test
  void aTransitionIsAnEventWithItsStatesAndReason() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");

      List<RecordedEvent> transitions = events(BackendTransitionEvent.NAME);
      RecordedEvent disabled = transitions.stream()
          .filter(e -> e.getString("to").equals("DEGRADED")).findFirst().orElseThrow();
      assertEquals("r", disabled.getString("raid"));
      assertEquals("b", disabled.getString("backend"));
      assertEquals("OPTIMAL", disabled.getString("from"));
      assertEquals("disabled by operator", disabled.getString("reason"));
      assertTrue(transitions.stream().anyMatch(e -> e.getString("to").equals("OPTIMAL")
          && e.getString("from").isEmpty()), "a backend entering at startup: " + transitions);
    }
  }

  @Test
  void aRecoveryReportsItsProgressUpToDone() throws InterruptedException {
    try (Fixture f = Fixture.of(2).freshInstances()) {
      RaidStorage raid = f.open();
      raid.admin().disable("b");
      Tid last = Tid.NONE;
      for (int i = 1; i <= 5; i++) {
        last = Fixture.commit(raid, Oid.of(i), Tid.NONE, "v" + i);
      }
      RecoveryHandle handle = raid.admin().recover("b");
      assertTrue(handle.await(Duration.ofSeconds(30)));
      assertEquals(RecoveryPhase.DONE, handle.progress().phase());
      assertEquals(last, raid.lastTransaction());

      List<RecordedEvent> progress = events(RecoveryProgressEvent.NAME);
      List<String> phases = progress.stream().map(e -> e.getString("phase")).distinct().toList();
      assertEquals("OPENING", phases.get(0), phases.toString());
      assertTrue(phases.containsAll(List.of("VERIFYING", "COPYING", "PROMOTING")),
          phases.toString());
      RecordedEvent done = progress.get(progress.size() - 1);
      assertEquals("DONE", done.getString("phase"));
      assertEquals("r", done.getString("raid"));
      assertEquals("b", done.getString("backend"));
      assertEquals(5, done.getLong("transactionsCopied"));
      assertEquals(5, done.getLong("transactionsTotal"));
      assertTrue(done.getLong("bytesCopied") > 0);
      assertTrue(done.getDouble("bytesPerSecond") > 0);
      assertEquals("", done.getString("failure"));
      assertTrue(events(BackendTransitionEvent.NAME).stream()
          .anyMatch(e -> e.getString("backend").equals("b")
              && e.getString("from").equals("RECOVERING") && e.getString("to").equals("OPTIMAL")));
    }
  }

  @Test
  void aScrubReportsItsProgressUpToDone() throws InterruptedException {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      ScrubTest.commitBulk(raid, 12);
      ScrubHandle handle = raid.admin().scrub();
      assertTrue(handle.await(Duration.ofSeconds(30)));
      ScrubProgress finished = handle.progress();
      assertEquals(ScrubPhase.DONE, finished.phase());

      List<RecordedEvent> progress = events(ScrubProgressEvent.NAME);
      List<String> phases = progress.stream().map(e -> e.getString("phase")).distinct().toList();
      assertEquals(List.of("STARTING", "COMPARING", "DONE"), phases);
      RecordedEvent done = progress.get(progress.size() - 1);
      assertEquals("r", done.getString("raid"));
      assertEquals("DONE", done.getString("phase"));
      assertEquals(12, done.getLong("transactionsCompared"));
      assertEquals(finished.transactionsTotal(), done.getLong("transactionsTotal"));
      assertEquals(finished.bytesCompared(), done.getLong("bytesCompared"));
      assertTrue(done.getLong("bytesCompared") > 0);
      assertEquals(finished.bytesTotal(), done.getLong("bytesTotal"));
      assertTrue(done.getDuration("elapsed").toNanos() > 0);
      assertEquals("", done.getString("failure"));
    }
  }

  @Test
  void aCancelledScrubReportsWhy() throws InterruptedException {
    try (Fixture f = Fixture.of(2)) {
      f.builder.scrubRateLimit(RaidStorage.MIN_SCRUB_RATE_LIMIT);
      RaidStorage raid = f.open();
      ScrubTest.commitBulk(raid, 200);
      ScrubHandle handle = raid.admin().scrub();
      await().until(() -> handle.progress().transactionsCompared() >= 10);
      handle.cancel();
      assertTrue(handle.await(Duration.ofSeconds(30)));
      assertEquals(ScrubPhase.CANCELLED, handle.progress().phase());

      List<RecordedEvent> progress = events(ScrubProgressEvent.NAME);
      RecordedEvent last = progress.get(progress.size() - 1);
      assertEquals("CANCELLED", last.getString("phase"));
      assertEquals("scrub cancelled", last.getString("failure"));
      assertTrue(progress.stream().filter(e -> e.getString("phase").equals("COMPARING"))
          .anyMatch(e -> e.getLong("transactionsCompared") > 0),
          "each batch compared is reported: " + progress);
      assertEquals(handle.progress().transactionsCompared(), last.getLong("transactionsCompared"));
    }
  }

  @Test
  void nothingIsBuiltForAnEventNoRecordingWants() {
    stopped = true;
    stream.close();
    try (RecordingStream other = new RecordingStream()) {
      other.disable(CommitEvent.NAME);
      other.startAsync();
      assertFalse(CommitEvent.wanted());
      assertEquals(null, Telemetry.commitStarted("r"));
    }
  }
}
