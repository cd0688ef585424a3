package org.loomraid.backends.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.storage.CommitOutcomeUnknownException;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;

/**
 * A RAID front-end process ({@code loomraid raid}) over three server processes
 * ({@code loomraid serve}) under continuous writes from a remote client: one server is frozen
 * with SIGSTOP for longer than the RAID's deadline and resumed, another SIGKILLed while commits
 * are in flight. The RAID degrades both and goes on; every commit its client was told is
 * acknowledged is on the surviving server, no commit it was told failed is anywhere, commits in
 * doubt were reported as such; after {@code ctl recover} of both, the three servers hold
 * identical histories.
 */
@Timeout(300)
class RaidServerFaultsProcessTest {

  private static final Duration DEADLINE = Duration.ofSeconds(1);
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
  void frozenAndKilledServersAreDegradedEveryOutcomeIsTruthfulAndRecoveryRejoinsThem()
      throws Exception {
    long started = System.nanoTime();
    List<String> names = List.of("a", "b", "c");
    Map<String, ChildJvm> servers = new HashMap<>();
    for (String name : names) {
      servers.put(name, serve(name, 0));
    }
    Map<String, Integer> ports = new HashMap<>();
    for (String name : names) {
      ports.put(name, servers.get(name).awaitPort(PATIENCE));
    }
    Path config = Files.writeString(dir.resolve("front.properties"), String.join("\n",
        "name = front",
        "port = 0",
        "backend.a = remote:127.0.0.1:" + ports.get("a"),
        "backend.b = remote:127.0.0.1:" + ports.get("b"),
        "backend.c = remote:127.0.0.1:" + ports.get("c"),
        "call-timeout = " + DEADLINE.toMillis() + "ms",
        ""));
    ChildJvm front = ChildJvm.start("raid", "raid", "--config", config.toString());
    cleanup.add(front);
    int frontPort = front.awaitPort(PATIENCE);
    System.out.printf("faults process test: three servers and the front-end up after %d ms%n",
        millisSince(started));

    RemoteStorage client = RemoteStorage.builder("127.0.0.1", frontPort)
        .callTimeout(Duration.ofSeconds(20)).connect();
    cleanup.add(client);
    RemoteRaidAdmin admin = client.admin();
    Writers writers = new Writers(client, 4);
    cleanup.add(writers);
    writers.awaitCommits(40);

    long frozen = System.nanoTime();
    servers.get("b").freeze();
    awaitState(admin, "b", "DEGRADED");
    long frozenFor = millisSince(frozen);
    System.out.printf("faults process test: SIGSTOPped server degraded after %d ms (deadline %d"
        + " ms)%n", frozenFor, DEADLINE.toMillis());
    assertTrue(frozenFor >= DEADLINE.toMillis(), "frozen longer than the deadline");
    writers.awaitCommits(writers.acknowledged() + 20);
    servers.get("b").thaw();
    writers.awaitCommits(writers.acknowledged() + 20);

    servers.get("c").kill(); // SIGKILL, with commits in flight
    awaitState(admin, "c", "DEGRADED");
    writers.awaitCommits(writers.acknowledged() + 20); // the RAID goes on with a alone
    assertEquals("DEGRADED", admin.status());
    assertEquals(2, CliRun.of("ctl", "--port", String.valueOf(frontPort), "status").exitCode(),
        "ctl: CRITICAL while b and c are degraded");

    ChildJvm restarted = serve("c", ports.get("c"));
    restarted.awaitPort(PATIENCE);
    for (String name : List.of("b", "c")) {
      long recovering = System.nanoTime();
      CliRun recover = CliRun.of("ctl", "--port", String.valueOf(frontPort), "recover", name);
      assertEquals(0, recover.exitCode(), recover.toString());
      System.out.printf("faults process test: ctl recover %s took %d ms under writes%n", name,
          millisSince(recovering));
    }
    writers.awaitCommits(writers.acknowledged() + 20); // with all three in service again
    writers.close();
    assertEquals(0, CliRun.of("ctl", "--port", String.valueOf(frontPort), "status").exitCode(),
        "ctl: OK once both are recovered");

    List<TransactionRecord> a = history(ports.get("a"));
    writers.assertTruthful(a);
    assertEquals(a, history(ports.get("b")), "a and b hold identical histories");
    assertEquals(a, history(ports.get("c")), "a and c hold identical histories");
    assertEquals(client.lastTransaction(), a.get(a.size() - 1).tid());
    System.out.printf("faults process test: %d commits acknowledged, %d in doubt (%d of them"
            + " committed), %d failed, %d transactions on each server, %d ms in all%n",
        writers.acknowledged(), writers.inDoubt.size(), writers.inDoubtCommitted(a),
        writers.failed.size(), a.size(), millisSince(started));
    front.output().lines().filter(line -> line.contains("is DEGRADED"))
        .forEach(line -> System.out.printf("  front-end: %s%n", line));
    writers.failed.forEach((value, why) -> System.out.printf("  failed %s: %s%n", value, why));
    writers.unexpected.forEach(line -> System.out.printf("  %s%n", line));

    client.close();
    front.stop();
    servers.get("a").stop();
    servers.get("b").stop();
    restarted.stop();
  }

  private static void awaitState(RemoteRaidAdmin admin, String backend, String state) {
    await(backend + " " + state).atMost(PATIENCE).until(() -> admin.backends().stream()
        .anyMatch(b -> b.name().equals(backend) && b.state().equals(state)));
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
   * Writer threads, each on its own object, committing until closed and remembering what they
   * were told: acknowledged (with the tid), in doubt (with the tid), or failed.
   */
  private static final class Writers implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final Map<String, Tid> committed = new ConcurrentHashMap<>();
    private final Map<String, Tid> inDoubt = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<?>> futures = new ArrayList<>();

    Writers(RemoteStorage storage, int count) {
      for (int i = 0; i < count; i++) {
        Oid oid = Oid.of(100 + i);
        futures.add(pool.submit(() -> write(storage, oid)));
      }
    }

    private Void write(RemoteStorage storage, Oid oid) {
      Tid serial = Tid.NONE;
      for (int n = 0; running.get(); n++) {
        String value = oid.value() + ":" + n;
        try (StorageTransaction txn = storage.begin(TransactionMeta.of("writer", value))) {
          txn.store(oid, serial, value.getBytes(StandardCharsets.UTF_8));
          txn.vote();
          try {
            serial = txn.commit();
            committed.put(value, serial);
            acknowledged.incrementAndGet();
            continue;
          } catch (CommitOutcomeUnknownException e) {
            inDoubt.put(value, e.tid());
          }
        } catch (RuntimeException e) {
          failed.put(value, e.toString());
        }
        serial = currentSerial(storage, oid, serial);
      }
      return null;
    }

    /** The object's serial now; the one it had if it cannot be read (the next vote tells). */
    private Tid currentSerial(RemoteStorage storage, Oid oid, Tid known) {
      try {
        return storage.load(oid).serial();
      } catch (ObjectNotFoundException e) {
        return Tid.NONE;
      } catch (RuntimeException e) {
        unexpected.add("re-reading " + oid + ": " + e);
        return known;
      }
    }

    int acknowledged() {
      return acknowledged.get();
    }

    void awaitCommits(int count) {
      await("commits").atMost(PATIENCE).until(() -> acknowledged.get() >= count);
    }

    /** Values by the tid each is stored under in {@code history}. */
    private static Map<String, Tid> values(List<TransactionRecord> history) {
      Map<String, Tid> values = new HashMap<>();
      for (TransactionRecord record : history) {
        for (DataRecord data : record.records()) {
          values.put(new String(data.data(), StandardCharsets.UTF_8), record.tid());
        }
      }
      return values;
    }

    long inDoubtCommitted(List<TransactionRecord> history) {
      Map<String, Tid> present = values(history);
      return inDoubt.keySet().stream().filter(present::containsKey).count();
    }

    /**
     * Every acknowledged commit is present under its tid; no commit reported failed is present;
     * a commit in doubt that is present is under the tid it was reported with.
     */
    void assertTruthful(List<TransactionRecord> history) {
      Map<String, Tid> present = values(history);
      committed.forEach((value, tid) ->
          assertEquals(tid, present.get(value), "acknowledged commit " + value));
      failed.forEach((value, why) -> assertTrue(!present.containsKey(value),
          value + " was reported failed (" + why + ") but is present"));
      inDoubt.forEach((value, tid) -> {
        if (present.containsKey(value) && !tid.isNone()) {
          assertEquals(tid, present.get(value), "in-doubt commit " + value + " under its tid");
        }
      });
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
