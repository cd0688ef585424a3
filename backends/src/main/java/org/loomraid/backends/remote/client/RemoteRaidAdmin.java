package org.loomraid.backends.remote.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.ProtocolViolationException;
import org.loomraid.backends.remote.wire.ScrubView;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * The administration of a RAID served by a {@code StorageServer}, over the same connection as
 * its {@link RemoteStorage}: what {@code loomraid ctl} uses. States and statuses travel as their
 * names ({@code OPTIMAL}, {@code DEGRADED}, {@code RECOVERING}, ...), so this client works with
 * servers whose RAID knows more states than it does.
 *
 * <p>Every call is bounded by the storage's call timeout. If the server's storage is not a RAID,
 * every call fails with a {@link RemoteStorageException} whose remote type is
 * {@link RemoteStorageException#NOT_A_RAID}. Refusals of the RAID itself (an unknown backend, an
 * illegal transition) arrive as {@link IllegalArgumentException} or as a
 * {@link RemoteStorageException} naming the RAID's exception type. The scrub calls need a server
 * that announces them; an older one gets none, and the call fails with
 * {@link RemoteStorageException#UNSUPPORTED}.
 */
public final class RemoteRaidAdmin {

  /**
   * One backend as the RAID reports it.
   *
   * @param name the backend's name
   * @param state its state's name: {@code OPTIMAL}, {@code DEGRADED} or {@code RECOVERING}
   * @param reason why it is degraded, or {@code ""}
   * @param details further facts (last tid, lag, recovery progress, call counts, ...), in the
   *     server's order
   */
  public record Backend(String name, String state, String reason, Map<String, String> details) {

    /** Creates a backend view; copies the details. */
    public Backend {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(reason, "reason");
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
  }

  /**
   * A scrub of the RAID as the server reports it; see {@code org.loomraid.raid.ScrubProgress}.
   * Phases and kinds travel as names.
   *
   * @param phase {@code STARTING}, {@code COMPARING}, {@code REPAIRING}, {@code DONE},
   *     {@code FAILED} or {@code CANCELLED}
   * @param repair whether it repairs the backends it finds diverged
   * @param backends the backends it compares
   * @param resumedAfter the transaction after which it started ({@link Tid#NONE}: the first)
   * @param end the last transaction it compares
   * @param position the last transaction compared so far
   * @param transactionsCompared transactions compared so far
   * @param transactionsTotal transactions to compare, as estimated at its start
   * @param bytesCompared object data bytes compared so far
   * @param bytesTotal object data bytes to compare, as estimated at its start
   * @param elapsed time since it started
   * @param differences transactions at which backends disagreed
   * @param recordsDroppedByPack records some backends lack where a pack explains it
   * @param findings what it found, one per diverged backend or transaction without a majority
   * @param left backends that left the comparison, with why
   * @param repairs the recoveries it started
   * @param failure why it failed or was cancelled, or {@code ""}
   */
  public record Scrub(String phase, boolean repair, List<String> backends, Tid resumedAfter,
      Tid end, Tid position, long transactionsCompared, long transactionsTotal,
      long bytesCompared, long bytesTotal, Duration elapsed, long differences,
      long recordsDroppedByPack, List<Finding> findings, Map<String, String> left,
      List<Repair> repairs, String failure) {

    /** Creates a scrub view; copies the lists and the map. */
    public Scrub {
      Objects.requireNonNull(phase, "phase");
      backends = List.copyOf(backends);
      findings = List.copyOf(findings);
      left = Collections.unmodifiableMap(new LinkedHashMap<>(left));
      repairs = List.copyOf(repairs);
      Objects.requireNonNull(failure, "failure");
    }

    /** Returns whether the scrub has ended ({@code DONE}, {@code FAILED} or {@code CANCELLED}). */
    public boolean isDone() {
      return phase.equals("DONE") || phase.equals("FAILED") || phase.equals("CANCELLED");
    }

    /** Returns the mean comparison rate so far, in bytes per second. */
    public double bytesPerSecond() {
      long nanos = elapsed.toNanos();
      return nanos <= 0 ? 0 : bytesCompared / (nanos / 1e9);
    }
  }

  /**
   * What a scrub found.
   *
   * @param kind {@code DIVERGED} (the backend disagrees with the majority, and was taken out of
   *     service) or {@code NO_MAJORITY} (backends that differ with no majority; nothing changed)
   * @param backends the diverged backend, or every backend compared there
   * @param tid the first transaction where it differs
   * @param oid the object whose record differs, if the difference is in one
   * @param detail what differs
   */
  public record Finding(String kind, List<String> backends, Tid tid, Optional<Oid> oid,
      String detail) {

    /** Creates a finding; copies the names. */
    public Finding {
      Objects.requireNonNull(kind, "kind");
      backends = List.copyOf(backends);
      Objects.requireNonNull(tid, "tid");
      Objects.requireNonNull(oid, "oid");
      Objects.requireNonNull(detail, "detail");
    }

    /** Describes the finding in one line, as the RAID does. */
    public String describe() {
      String where = tid + oid.map(o -> ", " + o).orElse("");
      return kind.equals("DIVERGED")
          ? "backend '" + backends.get(0) + "' diverged at " + where + ": " + detail
          : kind.equals("NO_MAJORITY")
              ? "no majority among '" + String.join("', '", backends) + "' at " + where + ": "
                  + detail
              : kind + " " + backends + " at " + where + ": " + detail;
    }
  }

  /**
   * A recovery a repairing scrub started.
   *
   * @param backend the backend being recovered
   * @param phase the recovery's phase ({@code DONE} once it is back in service)
   * @param failure why it failed, or {@code ""}
   */
  public record Repair(String backend, String phase, String failure) {

    /** Creates a repair. */
    public Repair {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(failure, "failure");
    }
  }

  private final RemoteStorage storage;

  RemoteRaidAdmin(RemoteStorage storage) {
    this.storage = storage;
  }

  /** Returns the RAID's status name: {@code OPTIMAL}, {@code DEGRADED}, {@code RECOVERING}, ... */
  public String status() {
    return storage.call(Op.ADMIN_STATUS, out -> { }, true, PayloadReader::readString);
  }

  /** Returns every configured backend with its state. */
  public List<Backend> backends() {
    return storage.call(Op.ADMIN_BACKENDS, out -> { }, true, in -> {
      int count = in.readCount(16, "backends");
      List<Backend> backends = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        backends.add(readBackend(in));
      }
      return List.copyOf(backends);
    });
  }

  /** Takes a backend out of service ("disabled by operator"). */
  public void disable(String backend) {
    Objects.requireNonNull(backend, "backend");
    storage.call(Op.ADMIN_DISABLE, out -> out.writeString(backend), false, in -> null);
  }

  /**
   * Starts recovering a degraded backend and returns its state right after; poll
   * {@link #backends()} to follow the recovery.
   */
  public Backend recover(String backend) {
    Objects.requireNonNull(backend, "backend");
    return storage.call(Op.ADMIN_RECOVER, out -> out.writeString(backend), false,
        RemoteRaidAdmin::readBackend);
  }

  /**
   * Adds a backend, which enters DEGRADED ("added") until recovered.
   *
   * @param spec where it is, as the server understands it: {@code file:/dir} or
   *     {@code remote:host:port}
   */
  public void add(String backend, String spec) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(spec, "spec");
    storage.call(Op.ADMIN_ADD, out -> out.writeString(backend).writeString(spec), false,
        in -> null);
  }

  /** Removes a backend from the RAID's configuration. */
  public void remove(String backend) {
    Objects.requireNonNull(backend, "backend");
    storage.call(Op.ADMIN_REMOVE, out -> out.writeString(backend), false, in -> null);
  }

  /**
   * Starts a scrub of the RAID and returns it right after; follow it with {@link #lastScrub()}.
   *
   * @param repair whether backends found diverged are recovered from the majority
   * @param fromStart whether to compare from the first transaction even if an earlier scrub
   *     stopped midway (otherwise the scrub resumes there)
   */
  public Scrub scrub(boolean repair, boolean fromStart) {
    requireScrub();
    return storage.call(Op.ADMIN_SCRUB, out -> out.writeBoolean(repair).writeBoolean(fromStart),
        false, in -> scrub(ScrubView.decode(in)));
  }

  /** Returns the running scrub, or the last one since the RAID opened; empty if none ran. */
  public Optional<Scrub> lastScrub() {
    requireScrub();
    return storage.call(Op.ADMIN_SCRUB_STATUS, out -> { }, true, RemoteRaidAdmin::readScrub);
  }

  /**
   * Asks the running scrub to stop (the next scrub resumes where it stops) and returns it right
   * after; empty if none runs.
   */
  public Optional<Scrub> cancelScrub() {
    requireScrub();
    return storage.call(Op.ADMIN_SCRUB_CANCEL, out -> { }, true, RemoteRaidAdmin::readScrub);
  }

  private void requireScrub() {
    if (!storage.servesScrub()) {
      throw storage.servesRaid()
          ? new RemoteStorageException(RemoteStorageException.UNSUPPORTED, "the server of '"
              + storage.serverStorageName() + "' does not serve scrub (an older version)")
          : new RemoteStorageException(RemoteStorageException.NOT_A_RAID,
              "storage '" + storage.serverStorageName() + "' is not a RAID");
    }
  }

  private static Optional<Scrub> readScrub(PayloadReader in) throws ProtocolViolationException {
    return in.readBoolean() ? Optional.of(scrub(ScrubView.decode(in))) : Optional.empty();
  }

  private static Scrub scrub(ScrubView view) {
    return new Scrub(view.phase(), view.repair(), view.backends(), view.resumedAfter(),
        view.end(), view.position(), view.transactionsCompared(), view.transactionsTotal(),
        view.bytesCompared(), view.bytesTotal(), view.elapsed(), view.differences(),
        view.recordsDroppedByPack(),
        view.findings().stream().map(f -> new Finding(f.kind(), f.backends(), f.tid(), f.oid(),
            f.detail())).toList(),
        view.left(),
        view.repairs().stream().map(r -> new Repair(r.backend(), r.phase(), r.failure()))
            .toList(),
        view.failure());
  }

  private static Backend readBackend(PayloadReader in) throws ProtocolViolationException {
    BackendView view = BackendView.decode(in);
    return new Backend(view.name(), view.state(), view.reason(), view.details());
  }
}
