package org.loomraid.backends.remote.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.backends.remote.Commits;

/** Server and client threads are virtual: busy traffic must never pin a carrier thread. */
@Timeout(60)
class PinningTest {

  @Test
  void pipelinedTrafficNeverPinsACarrierThread() throws Exception {
    List<RecordedEvent> pinned = new CopyOnWriteArrayList<>();
    try (RecordingStream recording = new RecordingStream();
        MemoryStorage served = MemoryStorage.create("served");
        StorageServer server = StorageServer.builder(served).start();
        RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
      recording.enable("jdk.VirtualThreadPinned").withoutThreshold().withStackTrace();
      recording.onEvent("jdk.VirtualThreadPinned", pinned::add);
      recording.startAsync();
      provokePinning();
      await().atMost(Duration.ofSeconds(20)).until(() -> !pinned.isEmpty());
      traffic(client, 1); // warm-up: class initialisation and lambda spinning may pin, once
      Instant measured = Instant.now();
      traffic(client, 100);
      recording.stop();
      List<String> duringTraffic = pinned.stream()
          .filter(event -> !event.getStartTime().isBefore(measured))
          .map(PinningTest::describe)
          .toList();
      assertEquals(List.of(), duringTraffic, "pinned carrier threads");
    }
  }

  /** Eight virtual threads commit, load and read the history through one client. */
  private static void traffic(RemoteStorage client, long firstOid) throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Oid oid = Oid.of(firstOid + t);
        work.add(pool.submit(() -> {
          Tid serial = Tid.NONE;
          for (int i = 0; i < 25; i++) {
            serial = Commits.write(client, oid, serial, "value " + i);
            client.load(oid);
          }
          try (TransactionIterator history = client.transactions(Tid.NONE)) {
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

  /** A positive control: a virtual thread that sleeps inside a class initializer is pinned. */
  private static void provokePinning() throws InterruptedException {
    Thread.ofVirtual().start(() -> SleepsWhileInitialising.touch()).join();
  }

  private static final class SleepsWhileInitialising {
    static {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    static void touch() {}
  }

  private static String describe(RecordedEvent event) {
    StringBuilder text = new StringBuilder(event.toString());
    if (event.getStackTrace() != null) {
      for (RecordedFrame frame : event.getStackTrace().getFrames()) {
        text.append("\n  at ").append(frame.getMethod().getType().getName()).append('.')
            .append(frame.getMethod().getName()).append(':').append(frame.getLineNumber());
      }
    }
    return text.toString();
  }
}
