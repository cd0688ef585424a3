package org.loomraid.backends.remote;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.RaidStorage;
import org.loomraid.raid.RecoveryProgress;

/** The administration operations of a served {@link RaidStorage}, as plain names on the wire. */
final class RaidStorageAdministration implements RaidAdministration {

  private final RaidStorage raid;
  private final BackendSpecs specs;

  RaidStorageAdministration(RaidStorage raid, BackendSpecs specs) {
    this.raid = raid;
    this.specs = specs;
  }

  @Override
  public String status() {
    return raid.status().name();
  }

  @Override
  public List<RemoteRaidAdmin.Backend> backends() {
    return raid.admin().backends().stream().map(RaidStorageAdministration::view).toList();
  }

  @Override
  public void disable(String backend) {
    raid.admin().disable(backend);
  }

  @Override
  public RemoteRaidAdmin.Backend recover(String backend) {
    raid.admin().recover(backend);
    return raid.admin().backends().stream()
        .filter(info -> info.name().equals(backend))
        .findFirst()
        .map(RaidStorageAdministration::view)
        .orElseThrow(() -> new IllegalArgumentException("no backend named '" + backend + "'"));
  }

  @Override
  public void add(String backend, String spec) {
    raid.admin().add(backend, specs.opener(backend, spec));
  }

  @Override
  public void remove(String backend) {
    raid.admin().remove(backend);
  }

  @Override
  public boolean available() {
    return true;
  }

  /** A backend's snapshot as names and details. */
  static RemoteRaidAdmin.Backend view(BackendInfo info) {
    Map<String, String> details = new LinkedHashMap<>();
    info.recovery().ifPresent(progress -> details.putAll(describe(progress)));
    details.put("lastTid", info.lastTransaction().toString());
    details.put("lag", Long.toString(info.lag()));
    details.put("calls", Long.toString(info.calls()));
    details.put("failures", Long.toString(info.failures()));
    details.put("meanLatency", milliseconds(info.meanLatency()));
    details.put("maxLatency", milliseconds(info.maxLatency()));
    return new RemoteRaidAdmin.Backend(info.name(), info.state().name(), info.reason(), details);
  }

  /** Formats a latency for operators: {@code 0.106ms}, not {@code PT0.000105639S}. */
  static String milliseconds(Duration latency) {
    return String.format(Locale.ROOT, "%.3fms", latency.toNanos() / 1e6);
  }

  private static Map<String, String> describe(RecoveryProgress progress) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("recovery", progress.phase().name());
    details.put("copied", progress.transactionsCopied() + "/" + progress.transactionsTotal()
        + " transactions, " + progress.bytesCopied() + "/" + progress.bytesTotal() + " bytes");
    details.put("rate", String.format("%.0f bytes/s", progress.bytesPerSecond()));
    if (!progress.failure().isEmpty()) {
      details.put("recoveryFailure", progress.failure());
    }
    return details;
  }
}
