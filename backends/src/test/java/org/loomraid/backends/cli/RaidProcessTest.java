package org.loomraid.backends.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.BackendState;
import org.loomraid.raid.BackendTransition;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * Three {@code loomraid serve} processes behind a RAID: one is SIGKILLed under continuous writes,
 * degraded within the deadline, restarted and recovered with {@code loomraid ctl recover} while
 * the writes go on; no acknowledged commit is lost and the three servers end with identical
 * histories.
 */
@Timeout(240)
class RaidProcessTest {

  private static final Duration RAID_DEADLINE = Duration.ofSeconds(2);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private ChildJvm serve(String name, int port) throws Exception {
    ChildJvm child = ChildJvm.start("serve-" + name, "serve", "--dir",
        dir.resolve(name).toString(), "--name", name, "--port", String.valueOf(port));
    cleanup.add(child);
    return child;
  }

  @Test
  void killedServerIsDegradedThenRecoveredWithNothingLost() throws Exception {
    long started = System.nanoTime();
    List<String> names = List.of("a", "b", "c");
    List<ChildJvm> servers = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (String name : names) {
      servers.add(serve(name, 0));
    }
    for (ChildJvm server : servers) {
      ports.add(server.awaitPort(PATIENCE));
    }
    System.out.printf("process test: three servers up after %d ms%n", millisSince(started));

    List<BackendTransition> transitions = new CopyOnWriteArrayList<>();
    RaidStorage.Builder builder = RaidStorage.builder("processes")
        .callTimeout(RAID_DEADLINE)
        .listener(transitions::add);
    for (int i = 0; i < names.size(); i++) {
      int port = ports.get(i);
      String name = names.get(i);
      builder.backend(name, () -> RemoteStorage.builder("127.0.0.1", port).name(name)
          .connectTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(4)).connect());
    }
    RaidStorage raid = builder.open();
    cleanup.add(raid);
    StorageServer front = StorageServer.builder(raid).raidAdmin(raid.admin()).start();
    cleanup.add(front);

    Writers writers = new Writers(raid, 4);
    cleanup.add(writers);
    writers.awaitCommits(40);

    long killed = System.nanoTime();
    servers.get(1).kill(); // SIGKILL
    await("b degraded").atMost(PATIENCE).until(() -> transitions.stream()
        .anyMatch(t -> t.name().equals("b") && t.to() == BackendState.DEGRADED));
    long degradedAfter = millisSince(killed);
    System.out.printf("process test: SIGKILLed server degraded after %d ms (deadline %d ms)%n",
        degradedAfter, RAID_DEADLINE.toMillis());
    assertTrue(degradedAfter < RAID_DEADLINE.toMillis() + 5_000,
        "degraded within the deadline (plus scheduling slack): " + degradedAfter + " ms");
    int atKill = writers.commits();
    writers.awaitCommits(atKill + 40); // writes go on with a and c

    assertEquals(2, CliRun.of("ctl", "--port", String.valueOf(front.port()), "status")
        .exitCode(), "ctl: CRITICAL while b is degraded");

    ChildJvm restarted = serve("b", ports.get(1));
    restarted.awaitPort(PATIENCE);
    long recovering = System.nanoTime();
    CliRun recover = CliRun.of("ctl", "--port", String.valueOf(front.port()), "recover", "b");
    assertEquals(0, recover.exitCode(), recover.toString());
    System.out.printf("process test: ctl recover took %d ms under continuous writes%n",
        millisSince(recovering));
    writers.awaitCommits(writers.commits() + 20); // and b takes part again
    writers.close();

    assertEquals(0, CliRun.of("ctl", "--port", String.valueOf(front.port()), "status")
        .exitCode(), "ctl: OK once recovered");
    writers.assertNothingLost(raid);
    List<TransactionRecord> a = history(ports.get(0));
    assertEquals(a, history(ports.get(1)), "a and b hold identical histories");
    assertEquals(a, history(ports.get(2)), "a and c hold identical histories");
    assertEquals(raid.lastTransaction(), a.get(a.size() - 1).tid());
    System.out.printf("process test: %d commits acknowledged, %d transactions on each server,"
        + " %d ms in all%n", writers.commits(), a.size(), millisSince(started));

    front.close();
    raid.close();
    servers.get(0).stop();
    restarted.stop();
    servers.get(2).stop();
  }

  private static List<TransactionRecord> history(int port) {
    try (RemoteStorage storage = RemoteStorage.connect("127.0.0.1", port);
        TransactionIterator iterator = storage.transactions(Tid.NONE)) {
      List<TransactionRecord> records = new ArrayList<>();
      iterator.forEachRemaining(records::add);
      return records;
    }
  }

  private static long millisSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
  }

  /**
   * Writer threads, each on its own object, committing until closed and remembering every
   * acknowledged commit (tid and value).
   */
  static final class Writers implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger commits = new AtomicInteger();
    private final Map<Oid, List<Tid>> acknowledged = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<?>> futures = new ArrayList<>();

    Writers(Storage storage, int count) {
      for (int i = 0; i < count; i++) {
        Oid oid = Oid.of(100 + i);
        acknowledged.put(oid, new CopyOnWriteArrayList<>());
        futures.add(pool.submit(() -> write(storage, oid)));
      }
    }

    private Void write(Storage storage, Oid oid) {
      Tid serial = Tid.NONE;
      int n = 0;
      while (running.get()) {
        try (StorageTransaction txn = storage.begin(TransactionMeta.of("writer", "n " + n))) {
          txn.store(oid, serial, value(oid, n));
          txn.vote();
          serial = txn.commit();
          acknowledged.get(oid).add(serial);
          commits.incrementAndGet();
          n++;
        } catch (RuntimeException e) {
          // Not acknowledged: re-read the serial (the commit may or may not have happened).
          serial = currentSerial(storage, oid);
          n = acknowledged.get(oid).size();
          if (!serial.equals(lastAcknowledged(oid))) {
            acknowledged.get(oid).add(serial); // committed after all: count it as acknowledged
            n++;
          }
        }
      }
      return null;
    }

    private Tid lastAcknowledged(Oid oid) {
      List<Tid> tids = acknowledged.get(oid);
      return tids.isEmpty() ? Tid.NONE : tids.get(tids.size() - 1);
    }

    private static Tid currentSerial(Storage storage, Oid oid) {
      try {
        return storage.load(oid).serial();
      } catch (ObjectNotFoundException e) {
        return Tid.NONE;
      }
    }

    static byte[] value(Oid oid, int n) {
      return (oid.value() + ":" + n).getBytes(StandardCharsets.UTF_8);
    }

    int commits() {
      return commits.get();
    }

    void awaitCommits(int count) {
      await("commits").atMost(PATIENCE).until(() -> commits.get() >= count);
    }

    /** Every acknowledged commit can be read back, in order, with its value. */
    void assertNothingLost(Storage storage) {
      for (Map.Entry<Oid, List<Tid>> entry : acknowledged.entrySet()) {
        List<Tid> tids = entry.getValue();
        for (int n = 0; n < tids.size(); n++) {
          assertEquals(new String(value(entry.getKey(), n), StandardCharsets.UTF_8),
              new String(storage.loadSerial(entry.getKey(), tids.get(n)).data(),
                  StandardCharsets.UTF_8), "acknowledged commit " + n + " of " + entry.getKey());
        }
        assertEquals(tids.get(tids.size() - 1), storage.load(entry.getKey()).serial());
      }
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> future : futures) {
        future.get();
      }
      pool.close();
    }
  }
}
