package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.testing.FaultyStorage.Operation;
import org.slf4j.LoggerFactory;

/**
 * Backend transitions: each logged once at WARN/ERROR with RAID, backend and reason, delivered
 * once to listeners, safe under concurrency; status and per-backend listing follow them.
 */
class TransitionTest {

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger supervisorLog = (Logger) LoggerFactory.getLogger(Supervisor.class);

  @BeforeEach
  void captureLog() {
    logged.start();
    supervisorLog.addAppender(logged);
  }

  @AfterEach
  void stopCapture() {
    supervisorLog.detachAppender(logged);
  }

  private List<String> warnings() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : logged.list) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
        lines.add(event.getLevel() + " " + event.getFormattedMessage());
      }
    }
    return lines;
  }

  @Test
  void degradationIsLoggedOnceAndDeliveredOnceToListeners() {
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    try (Fixture f = Fixture.of(3)) {
      f.builder.listener(transitions::add);
      RaidStorage raid = f.open();
      transitions.clear();
      f.faulty(1).on(Operation.VOTE).failAlways();

      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      Fixture.commit(raid, Oid.of(2), Tid.NONE, "v2");

      assertEquals(1, transitions.size(), transitions.toString());
      BackendTransition t = transitions.get(0);
      assertEquals("r", t.raid());
      assertEquals("b", t.name());
      assertEquals(BackendState.OPTIMAL, t.from());
      assertEquals(BackendState.DEGRADED, t.to());
      assertTrue(t.reason().startsWith("error in vote: InjectedFaultException"), t.reason());
      assertEquals(List.of("WARN RAID 'r': backend 'b' is DEGRADED: " + t.reason()), warnings());
    }
  }

  @Test
  void raidFailureIsLoggedAsAnErrorOnce() {
    try (Fixture f = Fixture.of(2)) {
      f.builder.failMode(FailMode.READ_ONLY);
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.VOTE).failAlways();
      f.faulty(1).on(Operation.VOTE).failAlways();

      assertThrows(RaidReadOnlyException.class,
          () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1"));
      assertThrows(RaidReadOnlyException.class,
          () -> Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1"));

      long errors = logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).count();
      assertEquals(1, errors, warnings().toString());
      assertTrue(warnings().get(2).contains("RAID 'r' has FAILED: only 0 of 2 backends optimal"),
          warnings().toString());
    }
  }

  @Test
  void concurrentFailuresDegradeABackendExactlyOnceAndCloseItOnce() throws Exception {
    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    try (Fixture f = Fixture.of(3)) {
      f.builder.listener(transitions::add);
      RaidStorage raid = f.open();
      Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      transitions.clear();
      f.faulty(1).on(Operation.LOAD).failAlways();

      CountDownLatch start = new CountDownLatch(1);
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> readers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          readers.add(pool.submit(() -> {
            start.await();
            for (int j = 0; j < 20; j++) {
              assertEquals("v1", Fixture.text(raid.load(Oid.of(1)).data()));
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> reader : readers) {
          reader.get();
        }
      }

      assertEquals(1, transitions.size(), transitions.toString());
      await().until(() -> f.closes(1) == 1);
      assertEquals(1, f.closes(1));
      assertEquals(1, warnings().size(), warnings().toString());
    }
  }

  @Test
  void disabledBackendIsListedWithItsReasonAndTheLastOneCannotBeDisabled() {
    try (Fixture f = Fixture.of(2)) {
      RaidStorage raid = f.open();
      RaidAdmin admin = raid.admin();

      admin.disable("a");

      assertEquals(RaidStatus.DEGRADED, admin.status());
      assertEquals("disabled by operator", admin.backends().get(0).reason());
      IllegalStateException last = assertThrows(IllegalStateException.class,
          () -> admin.disable("b"));
      assertTrue(last.getMessage().contains("last optimal backend"), last.getMessage());
      assertThrows(IllegalStateException.class, () -> admin.disable("a"));
      assertThrows(IllegalArgumentException.class, () -> admin.disable("zzz"));
      assertEquals(BackendState.OPTIMAL, admin.backends().get(1).state());
    }
  }

  @Test
  void listenerThatThrowsDoesNotDisturbTheRaid() {
    try (Fixture f = Fixture.of(2)) {
      f.builder.listener(t -> {
        throw new IllegalStateException("listener bug");
      });
      RaidStorage raid = f.open();
      f.faulty(0).on(Operation.COMMIT).failOnce();
      Tid tid = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");
      assertEquals(tid, f.memory(1).lastTransaction());
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }
}
