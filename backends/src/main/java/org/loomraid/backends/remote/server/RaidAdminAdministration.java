package org.loomraid.backends.remote.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.ScrubView;
import org.loomraid.raid.BackendInfo;
import org.loomraid.raid.RaidAdmin;
import org.loomraid.raid.RecoveryProgress;
import org.loomraid.raid.ScrubHandle;
import org.loomraid.raid.ScrubOptions;
import org.loomraid.raid.ScrubProgress;

/**
 * The administration operations of a served RAID, through the {@link RaidAdmin} the server was
 * given, as plain names on the wire. Backends given by spec are opened through the server's
 * {@link BackendOpeners}; without them, {@code add} is refused.
 */
final class RaidAdminAdministration implements RaidAdministration {

  private final RaidAdmin admin;
  private final BackendOpeners openers;

  RaidAdminAdministration(RaidAdmin admin, BackendOpeners openers) {
    this.admin = admin;
    this.openers = openers;
  }

  @Override
  public String status() {
    return admin.status().name();
  }

  @Override
  public List<BackendView> backends() {
    return admin.backends().stream().map(RaidAdminAdministration::view).toList();
  }

  @Override
  public void disable(String backend) {
    admin.disable(backend);
  }

  @Override
  public BackendView recover(String backend) {
    admin.recover(backend);
    return admin.backends().stream()
        .filter(info -> info.name().equals(backend))
        .findFirst()
        .map(RaidAdminAdministration::view)
        .orElseThrow(() -> new IllegalArgumentException("no backend named '" + backend + "'"));
  }

  @Override
  public void add(String backend, String spec) {
    if (openers == null) {
      throw new IllegalArgumentException("this server opens no backends by spec ('" + spec
          + "'): start it with backend openers to add backends remotely");
    }
    admin.add(backend, openers.opener(backend, spec));
  }

  @Override
  public void remove(String backend) {
    admin.remove(backend);
  }

  @Override
  public ScrubView scrub(boolean repair, boolean fromStart) {
    ScrubOptions options = new ScrubOptions(repair, fromStart);
    return view(admin.scrub(options).progress());
  }

  @Override
  public Optional<ScrubView> lastScrub() {
    return admin.lastScrub().map(scrub -> view(scrub.progress()));
  }

  @Override
  public Optional<ScrubView> cancelScrub() {
    Optional<ScrubHandle> last = admin.lastScrub().filter(scrub -> !scrub.isDone());
    last.ifPresent(ScrubHandle::cancel);
    return last.map(scrub -> view(scrub.progress()));
  }

  @Override
  public boolean available() {
    return true;
  }

  /** A scrub's progress as names and numbers. */
  static ScrubView view(ScrubProgress p) {
    return new ScrubView(p.phase().name(), p.repair(), p.backends(), p.resumedAfter(), p.end(),
        p.position(), p.transactionsCompared(), p.transactionsTotal(), p.bytesCompared(),
        p.bytesTotal(), p.elapsed(), p.differences(), p.recordsDroppedByPack(),
        p.findings().stream().map(f -> new ScrubView.Finding(f.kind().name(), f.backends(),
            f.tid(), f.oid(), f.detail())).toList(),
        p.left(),
        p.repairs().stream().map(r -> new ScrubView.Repair(r.backend(), r.phase().name(),
            r.failure())).toList(),
        p.failure());
  }

  /** A backend's snapshot as names and details. */
  static BackendView view(BackendInfo info) {
    Map<String, String> details = new LinkedHashMap<>();
    info.recovery().ifPresent(progress -> details.putAll(describe(progress)));
    details.put("lastTid", info.lastTransaction().toString());
    details.put("lag", Long.toString(info.lag()));
    details.put("calls", Long.toString(info.calls()));
    details.put("failures", Long.toString(info.failures()));
    details.put("meanLatency", milliseconds(info.meanLatency()));
    details.put("maxLatency", milliseconds(info.maxLatency()));
    details.put("p50Latency", milliseconds(info.p50Latency()));
    details.put("p99Latency", milliseconds(info.p99Latency()));
    return new BackendView(info.name(), info.state().name(), info.reason(), details);
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
    details.put("rate", String.format(Locale.ROOT, "%.0f bytes/s", progress.bytesPerSecond()));
    if (!progress.failure().isEmpty()) {
      details.put("recoveryFailure", progress.failure());
    }
    return details;
  }
}
