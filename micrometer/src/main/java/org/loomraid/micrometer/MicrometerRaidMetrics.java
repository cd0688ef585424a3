package org.loomraid.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.loomraid.raid.RaidMetrics;

/**
 * A {@link RaidMetrics} that registers each backend's measurements as Micrometer meters, tagged
 * {@code raid} (the RAID's name) and {@code backend} (the backend's name), plus any common tags
 * given:
 *
 * <table>
 *   <caption>Meters per backend</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #CALLS}</td><td>timer</td><td>every call to the backend and how long it took
 *       (count, total time, max; percentiles or histograms as the registry's filters configure)
 *       </td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>counter</td><td>calls that failed: an error, or no answer
 *       in time (an answer such as "not found" is not a failure)</td></tr>
 *   <tr><td>{@value #LAG}</td><td>gauge</td><td>committed transactions of the RAID the backend is
 *       missing: 0 while optimal, -1 when not known</td></tr>
 * </table>
 *
 * <pre>{@code
 * RaidStorage raid = RaidStorage.builder("main")
 *     .backend("a", openerA)
 *     .backend("b", openerB)
 *     .metrics(new MicrometerRaidMetrics(registry))
 *     .open();
 * }</pre>
 *
 * <p>The meters of a backend are removed from the registry when it leaves the RAID (removed, or the
 * RAID closed). Two RAIDs open at once with the same name in one registry share their meters; give
 * them distinct names. Thread-safe.
 */
public final class MicrometerRaidMetrics implements RaidMetrics {

  /** The timer of a backend's calls. */
  public static final String CALLS = "loomraid.backend.calls";

  /** The counter of a backend's failed calls. */
  public static final String FAILURES = "loomraid.backend.failures";

  /** The gauge of a backend's lag, in transactions. */
  public static final String LAG = "loomraid.backend.lag";

  private final MeterRegistry registry;
  private final Tags common;
  private final ConcurrentMap<List<String>, List<Meter>> meters = new ConcurrentHashMap<>();

  /**
   * Registers meters in {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public MicrometerRaidMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Registers meters in {@code registry}, each with {@code commonTags} besides {@code raid} and
   * {@code backend}.
   *
   * @throws NullPointerException if an argument is null
   */
  public MicrometerRaidMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.common = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
  }

  @Override
  public BackendMeter backend(String raid, String backend, LongSupplier lag) {
    Tags tags = common.and("raid", raid, "backend", backend);
    Timer calls = Timer.builder(CALLS)
        .description("Calls of the RAID to the backend, of every kind, and their duration")
        .tags(tags)
        .register(registry);
    Counter failures = Counter.builder(FAILURES)
        .description("Calls to the backend that failed: an error, or no answer in time")
        .tags(tags)
        .register(registry);
    Gauge lagGauge = Gauge.builder(LAG, lag, LongSupplier::getAsLong)
        .description("Committed transactions of the RAID the backend is missing (-1: unknown)")
        .baseUnit("transactions")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    meters.put(List.of(raid, backend), List.of(calls, failures, lagGauge));
    return (nanos, failed) -> {
      calls.record(nanos, TimeUnit.NANOSECONDS);
      if (failed) {
        failures.increment();
      }
    };
  }

  @Override
  public void removed(String raid, String backend) {
    List<Meter> gone = meters.remove(List.of(raid, backend));
    if (gone != null) {
      gone.forEach(registry::remove);
    }
  }

  @Override
  public String toString() {
    return "MicrometerRaidMetrics[" + registry.getClass().getSimpleName() + "]";
  }
}
