/**
 * loomraid's Micrometer binding: {@link org.loomraid.micrometer.MicrometerRaidMetrics} registers a
 * RAID's per-backend calls, failures, latency and lag as meters.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer ships
// an automatic module name only
module org.loomraid.micrometer {
  requires transitive org.loomraid.core;
  requires transitive micrometer.core;

  exports org.loomraid.micrometer;
}
