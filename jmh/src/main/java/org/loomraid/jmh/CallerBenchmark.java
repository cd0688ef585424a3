package org.loomraid.jmh;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.loomraid.backends.postgres.PostgresStorage;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionMeta;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a commit to a storage across a socket spends its time when a RAID makes it: the same calls
 * on one {@code PostgresStorage} or {@code RemoteStorage}, taken apart by who calls and how.
 *
 * <ul>
 *   <li>{@code backend}: {@code POSTGRES}, an embedded server without {@code fsync} (the log is
 *       written, never synced, so round trips, not the disk, are measured); or {@code REMOTE}, a
 *       storage server on loopback serving a memory storage ({@link RemoteBackends}).</li>
 *   <li>{@code work}: {@code LAST_TID} (one round trip: {@code lastTransaction()});
 *       {@code COMMIT} (begin, 10 stores of 256 bytes, vote, commit, the storage choosing the
 *       tid); {@code COMMIT_WITH_TID} (the same begun with the caller's tid, as a RAID begins);
 *       {@code RAID_COMMIT} (the commit of {@code COMMIT} made on a RAID of this one storage).</li>
 *   <li>{@code caller}: {@code PLATFORM} (the JMH thread); {@code VIRTUAL} (one virtual thread
 *       makes the whole batch); {@code FRESH_VIRTUAL} (every call on a virtual thread of its own,
 *       started and joined by the JMH thread; for the commits, as a RAID does, begin to vote on one
 *       and commit on another).</li>
 * </ul>
 * Each invocation makes {@value #BATCH} calls; a sample is their mean.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class CallerBenchmark {

  /** Calls per invocation. */
  static final int BATCH = 20;

  private static final ThreadFactory CALLERS = BenchmarkThreads.virtual("bench-pg-caller-");

  private static final TransactionMeta META = TransactionMeta.of("bench", "call");

  /** {@code POSTGRES} or {@code REMOTE}. */
  @Param({"POSTGRES", "REMOTE"})
  public String backend;

  /** {@code LAST_TID}, {@code COMMIT}, {@code COMMIT_WITH_TID} or {@code RAID_COMMIT}. */
  @Param({"LAST_TID", "COMMIT", "COMMIT_WITH_TID", "RAID_COMMIT"})
  public String work;

  /** {@code PLATFORM}, {@code VIRTUAL} or {@code FRESH_VIRTUAL}. */
  @Param({"PLATFORM", "VIRTUAL", "FRESH_VIRTUAL"})
  public String caller;

  private AutoCloseable server;
  private Storage storage;
  private Storage raid;
  private CommitWorkload workload;
  private final TidGenerator tids = TidGenerator.system();
  private Oid[] oids;
  private Tid[] serials;
  private byte[] data;
  private Tid lastCommitted = Tid.NONE;

  /** Starts the server and opens the storage (and the RAID of it). */
  @Setup(Level.Trial)
  public void open() {
    if (!List.of("LAST_TID", "COMMIT", "COMMIT_WITH_TID", "RAID_COMMIT").contains(work)
        || !List.of("PLATFORM", "VIRTUAL", "FRESH_VIRTUAL").contains(caller)) {
      throw new IllegalArgumentException("unknown work " + work + " or caller " + caller);
    }
    StorageOpener opener;
    switch (backend) {
      case "POSTGRES" -> {
        PostgresServer postgres = PostgresServer.startEmbedded(false);
        server = postgres;
        postgres.createBackendDatabases(1);
        System.out.println("PostgreSQL: " + postgres.describe());
        String url = postgres.url("b0");
        opener = () -> PostgresStorage.builder(url).name("b0").poolSize(3).open();
      }
      case "REMOTE" -> {
        RemoteBackends remote = new RemoteBackends(1);
        server = remote;
        opener = remote.openers().get(0);
      }
      default -> throw new IllegalArgumentException(
          "backend must be POSTGRES or REMOTE, not " + backend);
    }
    if (work.equals("RAID_COMMIT")) {
      raid = CommitPath.PARALLEL_THREADS.open(List.of(opener));
      workload = new CommitWorkload(raid, 10, CommitBenchmark.OBJECT_SETS);
    } else {
      try {
        storage = opener.open();
      } catch (Exception e) {
        throw new IllegalStateException("the backend did not open: " + e, e);
      }
      workload = new CommitWorkload(storage, 10, CommitBenchmark.OBJECT_SETS);
      oids = new Oid[10];
      serials = new Tid[10];
      long first = storage.newOid().value();
      storage.reserveOids(Oid.of(first + 9));
      for (int i = 0; i < 10; i++) {
        oids[i] = Oid.of(first + i);
        serials[i] = Tid.NONE;
      }
      data = new byte[CommitWorkload.RECORD_BYTES];
    }
    if (storage != null) {
      lastCommitted = storage.lastTransaction();
    }
  }

  /** Closes everything and stops the server. */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    try {
      if (raid != null) {
        RaidSubject.requireIntact(raid);
        raid.close();
      }
      if (storage != null) {
        storage.close();
      }
    } finally {
      server.close();
    }
  }

  /** {@value #BATCH} calls of {@code work} by {@code caller}. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object call() throws InterruptedException {
    Object last = null;
    switch (caller) {
      case "PLATFORM" -> {
        for (int i = 0; i < BATCH; i++) {
          last = direct();
        }
      }
      case "VIRTUAL" -> {
        Object[] result = new Object[1];
        onVirtualThread(() -> {
          for (int i = 0; i < BATCH; i++) {
            result[0] = direct();
          }
        });
        last = result[0];
      }
      default -> {
        for (int i = 0; i < BATCH; i++) {
          last = onFreshThreads();
        }
      }
    }
    return last;
  }

  /** One call of {@code work} on the calling thread. */
  private Object direct() {
    return switch (work) {
      case "LAST_TID" -> storage.lastTransaction();
      case "COMMIT_WITH_TID" -> commitWithTid();
      default -> workload.commitOnce();
    };
  }

  /** One call of {@code work}, each part on a virtual thread of its own. */
  private Object onFreshThreads() throws InterruptedException {
    return switch (work) {
      case "LAST_TID" -> fresh(storage::lastTransaction);
      case "COMMIT" -> commitOnFreshThreads(false);
      case "COMMIT_WITH_TID" -> commitOnFreshThreads(true);
      default -> fresh(workload::commitOnce);
    };
  }

  /** The commit of a RAID's backend: begun with the caller's tid. */
  private Tid commitWithTid() {
    try (StorageTransaction tx = begun(true)) {
      tx.vote();
      return committed(tx.commit());
    }
  }

  /** A commit in two phases, each on a new virtual thread, as a RAID of one makes it. */
  private Tid commitOnFreshThreads(boolean withTid) throws InterruptedException {
    StorageTransaction[] tx = new StorageTransaction[1];
    fresh(() -> {
      tx[0] = begun(withTid);
      tx[0].vote();
      return tx[0];
    });
    return committed(fresh(tx[0]::commit));
  }

  private StorageTransaction begun(boolean withTid) {
    // A RAID knows its last tid: choosing the next one costs no round trip.
    StorageTransaction tx = withTid ? storage.begin(META, tids.next(lastCommitted))
        : storage.begin(META);
    for (int i = 0; i < oids.length; i++) {
      tx.store(oids[i], serials[i], data);
    }
    return tx;
  }

  private Tid committed(Tid tid) {
    lastCommitted = tid;
    for (int i = 0; i < serials.length; i++) {
      serials[i] = tid;
    }
    return tid;
  }

  /** Runs {@code call} on a new virtual thread and waits for it. */
  private static <T> T fresh(java.util.function.Supplier<T> call) throws InterruptedException {
    Object[] result = new Object[1];
    onVirtualThread(() -> result[0] = call.get());
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }

  private static void onVirtualThread(Runnable task) throws InterruptedException {
    RuntimeException[] failure = new RuntimeException[1];
    Thread thread = CALLERS.newThread(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    });
    thread.start();
    thread.join();
    if (failure[0] != null) {
      throw failure[0];
    }
  }
}
