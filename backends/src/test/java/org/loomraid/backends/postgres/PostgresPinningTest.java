package org.loomraid.backends.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;

/**
 * Virtual threads drive the storage as a RAID does (one call per virtual thread, many at once):
 * neither the storage nor the driver nor the pool may block a virtual thread while it is pinned to
 * its carrier. A JFR stream records {@code jdk.VirtualThreadPinned} events that have a frame of
 * loomraid, the PostgreSQL driver or HikariCP on the stack.
 */
@Timeout(60)
class PostgresPinningTest {

  private static final List<String> WATCHED =
      List.of("org.loomraid.", "org.postgresql.", "com.zaxxer.hikari.");

  @Test
  void commitsReadsAndIteratorsOnVirtualThreadsNeverPinACarrier() throws Exception {
    List<String> pinned = new CopyOnWriteArrayList<>();
    List<String> control = new CopyOnWriteArrayList<>();
    try (PostgresStorage storage = PostgresStorage.builder(TestDatabases.pool("postgres"))
        .schema(TestDatabases.freshSchema()).open();
        RecordingStream recording = new RecordingStream()) {
      recording.enable("jdk.VirtualThreadPinned").withoutThreshold().withStackTrace();
      Instant[] measuredFrom = new Instant[1];
      recording.onEvent("jdk.VirtualThreadPinned", event -> {
        if (measuredFrom[0] == null && involvesWatchedCode(event)) {
          control.add(describe(event));
        }
        if (measuredFrom[0] != null && !event.getStartTime().isBefore(measuredFrom[0])
            && involvesWatchedCode(event)) {
          pinned.add(describe(event));
        }
      });
      recording.startAsync();
      // A positive control: a virtual thread that sleeps in a class initialiser is pinned, and seen.
      Thread.ofVirtual().start(SleepsWhileInitialising::touch).join();
      await().atMost(Duration.ofSeconds(20)).until(() -> !control.isEmpty());
      traffic(storage, 1); // warm-up: class loading and initialisation may pin, once
      measuredFrom[0] = Instant.now();
      traffic(storage, 10);
      recording.stop();
    }
    assertEquals(List.of(), pinned, "pinned carrier threads");
  }

  /** Eight virtual threads, each committing, loading and reading the history. */
  private static void traffic(PostgresStorage storage, int rounds) throws Exception {
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(
        Thread.ofVirtual().name("pinning-traffic-", 0).factory())) {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        work.add(pool.submit(() -> {
          Oid oid = storage.newOid();
          Tid serial = Tid.NONE;
          for (int i = 0; i < rounds; i++) {
            try (StorageTransaction tx = storage.begin(TransactionMeta.of("pinning", "t"))) {
              tx.store(oid, serial, ("v" + i).getBytes(StandardCharsets.UTF_8));
              tx.vote();
              serial = tx.commit();
            }
            storage.load(oid);
            storage.stats();
          }
          try (TransactionIterator history = storage.transactions(Tid.NONE)) {
            history.forEachRemaining(record -> { });
          }
          return null;
        }));
      }
      for (Future<?> future : work) {
        future.get();
      }
    }
  }

  private static final class SleepsWhileInitialising {
    static {
      try {
        Thread.sleep(50); // the sleep is the point: blocking while pinned
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    static void touch() {}
  }

  private static boolean involvesWatchedCode(RecordedEvent event) {
    if (event.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
      String type = frame.getMethod().getType().getName();
      if (WATCHED.stream().anyMatch(type::startsWith)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(RecordedEvent event) {
    StringBuilder text = new StringBuilder(event.toString());
    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
      text.append("\n  at ").append(frame.getMethod().getType().getName()).append('.')
          .append(frame.getMethod().getName()).append(':').append(frame.getLineNumber());
    }
    return text.toString();
  }
}
