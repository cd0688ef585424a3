package org.loomraid.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.loomraid.storage.Storage;
import org.loomraid.storage.Tid;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Commits per second with many concurrent clients, each a virtual thread with its own objects.
 *
 * <p>One invocation is a round: every client, on a fresh virtual thread, commits one transaction,
 * and the round ends when all have. The secondary result {@code commits} is the commit rate
 * (read that, not the rounds). Commits serialise on the RAID's commit lock from vote to commit,
 * so the rate is bounded by one commit's locked time whatever the number of clients; what the
 * clients show is how the paths behave under that queue.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ConcurrencyBenchmark {

  /** The only place this benchmark creates threads: one virtual thread per client and round. */
  private static final ThreadFactory CLIENT_THREADS =
      Thread.ofVirtual().name("bench-client-", 0).factory();

  /** The write path: {@code SEQUENTIAL}, {@code PARALLEL_STRUCTURED} or {@code PARALLEL_THREADS}. */
  @Param({"SEQUENTIAL", "PARALLEL_STRUCTURED", "PARALLEL_THREADS"})
  public String path;

  /** Concurrent clients. */
  @Param({"1", "16", "256", "1024"})
  public int clients;

  /** Number of backends. */
  @Param("3")
  public int backends;

  /** Latency of every backend call, in microseconds. */
  @Param("100")
  public int latencyMicros;

  /** Records written per transaction. */
  @Param("10")
  public int records;

  private Storage subject;
  private CommitWorkload[] workloads;

  /** Counts commits, reported by JMH as commits per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Commits {
    /** Commits made in the current iteration. */
    public long commits;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      commits = 0;
    }
  }

  /** Opens a fresh RAID and one workload per client for each iteration. */
  @Setup(Level.Iteration)
  public void open() {
    CommitPath commitPath = CommitPath.valueOf(path);
    if (!commitPath.isRaid()) {
      throw new IllegalArgumentException("path must be a RAID path, not " + path);
    }
    subject = commitPath.open(backends, Duration.ofNanos(latencyMicros * 1_000L));
    workloads = CommitWorkload.forClients(subject, clients, records, 4);
  }

  /** Checks that no backend was lost during the iteration, then closes the RAID. */
  @TearDown(Level.Iteration)
  public void close() {
    try {
      RaidSubject.requireIntact(subject);
    } finally {
      subject.close();
    }
  }

  /** One round: every client commits once, concurrently. */
  @Benchmark
  public void round(Commits counter) throws InterruptedException, ExecutionException {
    List<Future<Tid>> commits = new ArrayList<>(clients);
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(CLIENT_THREADS)) {
      for (CommitWorkload workload : workloads) {
        commits.add(pool.submit(workload::commitOnce));
      }
      for (Future<Tid> commit : commits) {
        commit.get();
      }
    }
    counter.commits += clients;
  }
}
