package org.loomraid.jmh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.HedgedReads;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.ReadPolicy;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Revision;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
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
 * {@code load} latency per read policy on a RAID of three backends, one of them ten times slower
 * than the other two. A read goes to one optimal backend chosen by the policy, so the mean and
 * the percentiles show how often a policy lands on the slow one; with hedging, a read the backend
 * has not answered in time is also sent to another. One client; its throughput is the inverse of
 * the mean.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ReadBenchmark {

  /** Objects read, in turn. */
  static final int OBJECTS = 256;

  /** How much slower the slow backend is. */
  static final int SLOW_FACTOR = 10;

  /** The read policy: {@code RANDOM}, {@code ROUND_ROBIN} or {@code LEAST_LATENCY}. */
  @Param({"RANDOM", "ROUND_ROBIN", "LEAST_LATENCY"})
  public String policy;

  /**
   * Hedged reads: {@code OFF}, or {@code P<percentile>_<budget in %>}, such as {@code P50_5}: hedge
   * a read not answered within the RAID's recent p50, for at most 5 % of reads.
   */
  @Param("OFF")
  public String hedging;

  /** Latency of the two fast backends, in microseconds; the third takes ten times as long. */
  @Param("100")
  public int latencyMicros;

  private Storage subject;
  private final Oid[] oids = new Oid[OBJECTS];
  private int next;

  /** Opens the RAID and stores the objects to read, in one transaction. */
  @Setup(Level.Trial)
  public void open() {
    Duration fast = Duration.ofNanos(latencyMicros * 1_000L);
    subject = RaidSubject.open(CommitPath.PARALLEL_THREADS,
        RaidSubject.memoryBackends(List.of(fast, fast, fast.multipliedBy(SLOW_FACTOR))),
        ReadPolicy.valueOf(policy), hedgedReads(hedging));
    long first = subject.newOid().value();
    subject.reserveOids(Oid.of(first + OBJECTS - 1));
    byte[] data = new byte[CommitWorkload.RECORD_BYTES];
    try (StorageTransaction txn = subject.begin(TransactionMeta.of("bench", "objects to read"))) {
      for (int i = 0; i < OBJECTS; i++) {
        oids[i] = Oid.of(first + i);
        txn.store(oids[i], Tid.NONE, data);
      }
      txn.vote();
      txn.commit();
    }
  }

  /** Parses the {@link #hedging} parameter: null for {@code OFF}. */
  static HedgedReads hedgedReads(String spec) {
    if (spec.equals("OFF")) {
      return null;
    }
    Matcher matcher = Pattern.compile("P(\\d+(?:\\.\\d+)?)_(\\d+(?:\\.\\d+)?)").matcher(spec);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("hedging must be OFF or P<percentile>_<budget %>, such as"
          + " P50_5, was '" + spec + "'");
    }
    return HedgedReads.atPercentile(Double.parseDouble(matcher.group(1)))
        .budget(Double.parseDouble(matcher.group(2)) / 100);
  }

  /**
   * Prints how the calls spread over the backends (the slow one last), checks that no backend was
   * lost, then closes the RAID.
   */
  @TearDown(Level.Trial)
  public void close() {
    try {
      StringBuilder spread = new StringBuilder("calls per backend (the last is the slow one):");
      for (BackendInfo backend : ((RaidStorage) subject).backends()) {
        spread.append(' ').append(backend.name()).append('=').append(backend.calls());
      }
      System.out.println(spread);
      RaidSubject.requireIntact(subject);
    } finally {
      subject.close();
    }
  }

  /** Loads the next object's current revision. */
  @Benchmark
  public Revision load() {
    Oid oid = oids[next];
    next = (next + 1) % OBJECTS;
    return subject.load(oid);
  }
}
