package org.loomraid.raid;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageClosedException;
import org.loomraid.storage.Tid;

/**
 * The fan-out implementations available in this JVM, directly: one deadline, outcomes classified,
 * threads named, laggards abandoned and tracked, the caller never held.
 */
class FanOutTest {

  private static final Duration DEADLINE = Duration.ofMillis(300);
  private static final Duration MARGIN = Duration.ofSeconds(3);

  private final RaidThreads threads = new RaidThreads("f");
  private final CountDownLatch release = new CountDownLatch(1);

  static List<FanOutKind> kinds() {
    List<FanOutKind> kinds = new ArrayList<>(List.of(FanOutKind.SEQUENTIAL,
        FanOutKind.VIRTUAL_THREADS));
    if (FanOut.loadStructured(new RaidThreads("probe")) != null) {
      kinds.add(FanOutKind.STRUCTURED_TASK_SCOPE);
    }
    return kinds;
  }

  @AfterEach
  void releaseDeafThreads() {
    release.countDown();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Backend> backends(String... names) {
    List<Backend> backends = new ArrayList<>();
    for (String name : names) {
      Backend backend = new Backend(name, backends.size(), () -> null, "loomraid-f-" + name);
      backend.storage(MemoryStorage.create(name));
      backends.add(backend);
    }
    return backends;
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void everyBackendIsCalledOnItsOwnNamedThread(FanOutKind kind) {
    List<String> names = new CopyOnWriteArrayList<>();
    Round<String> round = new Round<>(threads, "test", backends("a", "b", "c"), DEADLINE,
        Round.Kind.QUERY, (storage, slot) -> {
          names.add(Thread.currentThread().getName());
          assertTrue(Thread.currentThread().isVirtual());
          return storage.name();
        });
    FanOut.of(kind, threads).execute(round);

    for (Round.Slot<String> slot : round.slots()) {
      assertEquals(Outcome.SUCCESS, slot.outcome());
      assertEquals(slot.backend().name(), slot.value());
    }
    assertEquals(List.of("loomraid-f-a", "loomraid-f-b", "loomraid-f-c"),
        names.stream().sorted().toList());
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void onlyCallsThatTheirBackendSaysNeverBlockRunOnTheCallersThread(FanOutKind kind) {
    List<Backend> targets = backends("memory", "wrapped");
    targets.get(1).storage(new ForwardingStorage(MemoryStorage.create("wrapped")));
    Thread caller = Thread.currentThread();
    for (Round.Access access : Round.Access.values()) {
      List<String> names = new CopyOnWriteArrayList<>();
      Round<String> round = new Round<>(threads, "test", targets, DEADLINE, Round.Kind.QUERY,
          access, (storage, slot) -> {
            names.add(slot.backend().name() + " on "
                + (Thread.currentThread() == caller ? "caller" : Thread.currentThread().getName()));
            return storage.name();
          });
      FanOut.of(kind, threads).execute(round);

      assertEquals(Outcome.SUCCESS, round.slots()[0].outcome());
      assertEquals(Outcome.SUCCESS, round.slots()[1].outcome());
      String memory = access == Round.Access.OTHER ? "memory on loomraid-f-memory"
          : "memory on caller";
      assertEquals(List.of(memory, "wrapped on loomraid-f-wrapped"),
          names.stream().sorted().toList(), access.toString());
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void callOnTheCallersThreadDoesNotSeeItsInterruptWhichIsRestored(FanOutKind kind) {
    List<Boolean> seen = new CopyOnWriteArrayList<>();
    Round<String> round = new Round<>(threads, "vote", backends("a", "b"), DEADLINE,
        Round.Kind.QUERY, Round.Access.TRANSACTION, (storage, slot) -> {
          seen.add(Thread.currentThread().isInterrupted());
          return "ok";
        });
    Thread.currentThread().interrupt();
    try {
      FanOut.of(kind, threads).execute(round);
      assertTrue(Thread.currentThread().isInterrupted(), "interrupt restored");
    } finally {
      Thread.interrupted();
    }
    assertEquals(List.of(false, false), seen);
    assertEquals(Outcome.SUCCESS, round.slots()[0].outcome());
    assertEquals(Outcome.SUCCESS, round.slots()[1].outcome());
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void outcomesAreClassifiedAsAnswersFailuresAndFatalErrors(FanOutKind kind) {
    List<Throwable> thrown = List.of(
        new ConflictException(Oid.of(1), Tid.NONE, Tid.of(5)),
        new StorageClosedException("x"),
        new AssertionError("broken"),
        new RaidClosedException("inner", "inner RAID closed"),
        new OutOfMemoryError("simulated"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < thrown.size(); i++) {
      names.add("b" + i);
    }
    Round<Object> round = new Round<>(threads, "op", backends(names.toArray(String[]::new)),
        DEADLINE, Round.Kind.QUERY, (storage, slot) -> {
          Throwable t = thrown.get(slot.index());
          if (t instanceof Error e) {
            throw e;
          }
          throw (RuntimeException) t;
        });
    FanOut.of(kind, threads).execute(round);

    Round.Slot<Object>[] slots = round.slots();
    assertEquals(Outcome.ANSWER, slots[0].outcome());
    assertEquals(Outcome.FAILURE, slots[1].outcome());
    assertEquals(Outcome.FAILURE, slots[2].outcome());
    assertEquals(Outcome.FAILURE, slots[3].outcome());
    assertEquals(Outcome.FATAL, slots[4].outcome());
    assertEquals("error in op: AssertionError: broken", slots[2].failureReason());
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void deafBackendIsAbandonedAndTheCallerReturnsAtTheDeadline(FanOutKind kind) {
    Round<String> round = new Round<>(threads, "vote", backends("a", "b", "c"), DEADLINE,
        Round.Kind.QUERY, (storage, slot) -> {
          if (slot.backend().name().equals("c")) {
            slot.stage("deaf");
            awaitUninterruptibly(release);
          }
          return "ok";
        });
    long start = System.nanoTime();
    FanOut.of(kind, threads).execute(round);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("%s: deaf backend, caller returned after %d ms%n", kind, took.toMillis());

    assertTrue(took.compareTo(DEADLINE.plus(MARGIN)) < 0, "took " + took);
    assertEquals(Outcome.SUCCESS, round.slots()[0].outcome());
    assertEquals(Outcome.SUCCESS, round.slots()[1].outcome());
    assertEquals(Outcome.NO_RESPONSE, round.slots()[2].outcome());
    assertEquals("no response within 300ms in deaf", round.slots()[2].failureReason());
    assertTrue(threads.abandonedCount() >= 1);

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> threads.abandonedCount() == 0);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void backendHonouringInterruptsIsInterruptedAtTheDeadline(FanOutKind kind) {
    CountDownLatch never = new CountDownLatch(1);
    List<Boolean> interrupted = new CopyOnWriteArrayList<>();
    Round<String> round = new Round<>(threads, "load", backends("a", "b"), DEADLINE,
        Round.Kind.QUERY, (storage, slot) -> {
          if (slot.index() == 1) {
            try {
              never.await();
            } catch (InterruptedException e) {
              interrupted.add(true);
              throw e;
            }
          }
          return "ok";
        });
    FanOut.of(kind, threads).execute(round);

    assertEquals(Outcome.NO_RESPONSE, round.slots()[1].outcome());
    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> threads.abandonedCount() == 0);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void interruptOfTheCallerIsRestoredAndDoesNotCutTheRoundShort(FanOutKind kind) {
    Round<String> round = new Round<>(threads, "commit", backends("a", "b"), DEADLINE,
        Round.Kind.QUERY, (storage, slot) -> {
          Thread.sleep(50); // the backend's latency: the round outlasts the interrupt
          return "ok";
        });
    Thread.currentThread().interrupt();
    try {
      FanOut.of(kind, threads).execute(round);
      assertTrue(Thread.currentThread().isInterrupted(), "interrupt restored");
    } finally {
      Thread.interrupted();
    }
    assertEquals(Outcome.SUCCESS, round.slots()[0].outcome());
    assertEquals(Outcome.SUCCESS, round.slots()[1].outcome());
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void lateResultIsDiscardedAndWhatItAttachedIsClosed(FanOutKind kind) throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Round<String> round = new Round<>(threads, "open", backends("a"), DEADLINE,
        Round.Kind.QUERY, (storage, slot) -> {
          slot.attach(closed::countDown);
          attached.countDown();
          awaitUninterruptibly(release);
          return "late";
        });
    FanOut.of(kind, threads).execute(round);
    assertNotNull(round.slots()[0].attachment());
    assertEquals(Outcome.NO_RESPONSE, round.slots()[0].outcome());
    assertEquals(1, closed.getCount(), "not closed while its thread may still use it");

    release.countDown();
    assertTrue(closed.await(10, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(null, round.slots()[0].value(), "the late result is ignored");
  }
}
