package org.loomraid.raid;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * What a scrub found at one transaction: a backend that disagrees with the majority, or backends
 * that disagree with no majority to tell which is right.
 *
 * @param kind what was found
 * @param backends the backend that diverged ({@link Kind#DIVERGED}), or every backend compared
 *     there ({@link Kind#NO_MAJORITY}), in configuration order
 * @param tid the first transaction where it differs
 * @param oid the object whose record differs, if the difference is in one (not in the
 *     transaction's metadata, or in a transaction one side lacks)
 * @param detail what differs, in words
 */
public record ScrubFinding(Kind kind, List<String> backends, Tid tid, Optional<Oid> oid,
    String detail) {

  /** The kinds of finding. */
  public enum Kind {
    /**
     * The backend disagrees with a majority of the backends compared: it was taken out of service
     * ("diverged at …") and, if the scrub repairs, recovered from the majority.
     */
    DIVERGED,
    /**
     * The backends compared split with no group holding a majority (two backends that differ):
     * nobody can tell which is right, so nothing is taken out of service or repaired.
     */
    NO_MAJORITY
  }

  /**
   * Creates a finding.
   *
   * @throws NullPointerException if an argument is null
   */
  public ScrubFinding {
    Objects.requireNonNull(kind, "kind");
    backends = List.copyOf(backends);
    Objects.requireNonNull(tid, "tid");
    Objects.requireNonNull(oid, "oid");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * Describes the finding in one line: {@code backend 'c' diverged at <tid>, <oid>: <detail>}
   * or {@code no majority among 'a', 'b' at <tid>: <detail>}.
   */
  public String describe() {
    String where = tid + oid.map(o -> ", " + o).orElse("");
    return switch (kind) {
      case DIVERGED -> "backend '" + backends.get(0) + "' diverged at " + where + ": " + detail;
      case NO_MAJORITY -> "no majority among " + Scrub.quoted(backends) + " at " + where + ": "
          + detail;
    };
  }
}
