package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.loomraid.backends.postgres.PostgresStorage;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commit latency on PostgreSQL: one {@code PostgresStorage} (the floor), and a RAID of
 * {@code backends} of them, one database each on one server, per write path. Every commit is a
 * real two-phase commit: {@code PREPARE TRANSACTION} at vote, {@code COMMIT PREPARED} at commit.
 * The same workload as {@link CommitBenchmark}.
 *
 * <p>{@code server} is {@value PostgresServer#EMBEDDED} (the benchmark starts a server per trial,
 * syncing its log at every commit if {@code fsync}), or the JDBC URL of a running server on which
 * the databases {@code b0 ..} may be created. Each iteration uses a fresh schema, dropped after it.
 * A trial on an embedded server prints the server's configuration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PostgresCommitBenchmark {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  /** {@code FLOOR} (one PostgresStorage, no RAID) or a RAID path. */
  @Param({"FLOOR", "SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Number of backends of the RAID paths (the floor always has one). */
  @Param({"3"})
  public int backends;

  /** Records written per transaction. */
  @Param({"1", "10"})
  public int records;

  /** {@value PostgresServer#EMBEDDED}, or the JDBC URL of a running server. */
  @Param({PostgresServer.EMBEDDED})
  public String server;

  /** For an embedded server: whether it syncs its write-ahead log at every commit. */
  @Param({"true"})
  public boolean fsync;

  private PostgresServer database;
  private String schema;
  private int opened;
  private Storage subject;
  private CommitWorkload workload;

  /** Starts (or finds) the server and its databases, and prints its configuration. */
  @Setup(Level.Trial)
  public void startServer() {
    boolean embedded = PostgresServer.EMBEDDED.equals(server);
    database = embedded ? PostgresServer.startEmbedded(fsync) : PostgresServer.running(server);
    database.createBackendDatabases(backends);
    if (embedded) { // a server given by URL was described by whoever chose it
      System.out.println("PostgreSQL: " + database.describe());
    }
  }

  /** Opens the subject on a fresh schema in each backend database. */
  @Setup(Level.Iteration)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    opened = commitPath.isRaid() ? backends : 1;
    schema = "bench" + SCHEMAS.incrementAndGet();
    List<StorageOpener> openers = new ArrayList<>();
    for (int i = 0; i < opened; i++) {
      String url = database.url("b" + i);
      String name = "b" + i;
      openers.add(() -> PostgresStorage.builder(url).name(name).schema(schema).poolSize(3).open());
    }
    subject = commitPath.open(openers);
    workload = new CommitWorkload(subject, records, CommitBenchmark.OBJECT_SETS);
  }

  /** Checks that no backend was lost, closes the subject and drops its schemas. */
  @TearDown(Level.Iteration)
  public void close() {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      try {
        subject.close();
      } finally {
        database.dropSchema(schema, opened);
      }
    }
  }

  /** Stops an embedded server. */
  @TearDown(Level.Trial)
  public void stopServer() {
    database.close();
  }

  /** One transaction: begin, {@code records} stores, vote, commit. */
  @Benchmark
  public Tid commit() {
    return workload.commitOnce();
  }
}
