package org.loomraid.backends.remote.wire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * A scrub of a served RAID as the scrub operations carry it ({@code docs/protocol.md}, "RAID
 * administration"): phases, kinds and recovery phases as names, so that a client works with a
 * server whose RAID knows more of them than it does.
 *
 * @param phase the scrub's phase ({@code STARTING}, {@code COMPARING}, {@code REPAIRING},
 *     {@code DONE}, {@code FAILED}, {@code CANCELLED})
 * @param repair whether it repairs
 * @param backends the backends it compares
 * @param resumedAfter the transaction after which it started ({@code NONE}: from the first)
 * @param end the last transaction it compares
 * @param position the last transaction compared so far
 * @param transactionsCompared transactions compared so far
 * @param transactionsTotal transactions to compare, as estimated at its start
 * @param bytesCompared object data bytes compared so far
 * @param bytesTotal object data bytes to compare, as estimated at its start
 * @param elapsed time since it started
 * @param differences transactions at which backends disagreed
 * @param recordsDroppedByPack records some backends lack where a pack explains it
 * @param findings what it found
 * @param left backends that left the comparison, with why
 * @param repairs the recoveries it started
 * @param failure why it failed or was cancelled, or {@code ""}
 */
public record ScrubView(String phase, boolean repair, List<String> backends, Tid resumedAfter,
    Tid end, Tid position, long transactionsCompared, long transactionsTotal, long bytesCompared,
    long bytesTotal, Duration elapsed, long differences, long recordsDroppedByPack,
    List<Finding> findings, Map<String, String> left, List<Repair> repairs, String failure) {

  /**
   * One finding: {@code kind} is {@code DIVERGED} or {@code NO_MAJORITY}.
   *
   * @param kind the kind's name
   * @param backends the backends concerned
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
  }

  /**
   * One recovery a repairing scrub started.
   *
   * @param backend the backend being recovered
   * @param phase the recovery's phase name
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

  /** Creates a view; copies the lists and the map. */
  public ScrubView {
    Objects.requireNonNull(phase, "phase");
    backends = List.copyOf(backends);
    Objects.requireNonNull(resumedAfter, "resumedAfter");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(elapsed, "elapsed");
    findings = List.copyOf(findings);
    left = Collections.unmodifiableMap(new LinkedHashMap<>(left));
    repairs = List.copyOf(repairs);
    Objects.requireNonNull(failure, "failure");
  }

  /** Writes the view. */
  public void encode(FrameEncoder out) {
    out.writeString(phase).writeBoolean(repair);
    writeNames(out, backends);
    out.writeTid(resumedAfter).writeTid(end).writeTid(position);
    out.writeLong(transactionsCompared).writeLong(transactionsTotal).writeLong(bytesCompared)
        .writeLong(bytesTotal).writeLong(elapsed.toNanos()).writeLong(differences)
        .writeLong(recordsDroppedByPack);
    out.writeInt(findings.size());
    for (Finding finding : findings) {
      out.writeString(finding.kind());
      writeNames(out, finding.backends());
      out.writeTid(finding.tid()).writeBoolean(finding.oid().isPresent());
      finding.oid().ifPresent(out::writeOid);
      out.writeString(finding.detail());
    }
    out.writeInt(left.size());
    left.forEach((backend, why) -> out.writeString(backend).writeString(why));
    out.writeInt(repairs.size());
    for (Repair repair : repairs) {
      out.writeString(repair.backend()).writeString(repair.phase()).writeString(repair.failure());
    }
    out.writeString(failure);
  }

  /** Reads a view written by {@link #encode}. */
  public static ScrubView decode(PayloadReader in) throws ProtocolViolationException {
    String phase = in.readString();
    boolean repair = in.readBoolean();
    List<String> backends = readNames(in);
    Tid resumedAfter = in.readTid();
    Tid end = in.readTid();
    Tid position = in.readTid();
    long compared = in.readLong();
    long total = in.readLong();
    long bytes = in.readLong();
    long bytesTotal = in.readLong();
    long elapsed = in.readLong();
    long differences = in.readLong();
    long dropped = in.readLong();
    if (elapsed < 0) {
      throw new ProtocolViolationException("a scrub's elapsed time must not be negative");
    }
    int count = in.readCount(4 + 4 + 8 + 1 + 4, "findings");
    List<Finding> findings = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String kind = in.readString();
      List<String> names = readNames(in);
      Tid tid = in.readTid();
      Optional<Oid> oid = in.readBoolean() ? Optional.of(in.readOid()) : Optional.empty();
      findings.add(new Finding(kind, names, tid, oid, in.readString()));
    }
    int leaving = in.readCount(8, "backends that left");
    Map<String, String> left = new LinkedHashMap<>();
    for (int i = 0; i < leaving; i++) {
      left.put(in.readString(), in.readString());
    }
    int repairing = in.readCount(12, "repairs");
    List<Repair> repairs = new ArrayList<>(repairing);
    for (int i = 0; i < repairing; i++) {
      repairs.add(new Repair(in.readString(), in.readString(), in.readString()));
    }
    String failure = in.readString();
    return new ScrubView(phase, repair, backends, resumedAfter, end, position, compared, total,
        bytes, bytesTotal, Duration.ofNanos(elapsed), differences, dropped, findings, left,
        repairs, failure);
  }

  private static void writeNames(FrameEncoder out, List<String> names) {
    out.writeInt(names.size());
    names.forEach(out::writeString);
  }

  private static List<String> readNames(PayloadReader in) throws ProtocolViolationException {
    int count = in.readCount(4, "names");
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(in.readString());
    }
    return names;
  }
}
