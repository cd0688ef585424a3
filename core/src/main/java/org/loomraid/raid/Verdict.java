package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.LimitExceededException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageException;

/**
 * The reading of one finished {@link Round}: the one place where slot outcomes are interpreted.
 * Every fan-out of the RAID is read through a verdict; {@link Dispatcher} then applies it.
 *
 * <h2>The vote</h2>
 * Slots that voted ({@link Outcome#votes()}) are grouped by what they said. Successes are equal when
 * their keys are equal (the caller says what the key of a value is); refusals when they have the
 * same exception class and the same subject (the object of a conflict or of a not-found answer, the
 * tid of a stale-tid answer, the limit of a refused size; for other answers the message, for other
 * caller errors nothing). The largest group wins. <b>Ties go to the group that contains the
 * earliest-configured backend</b> (lowest configuration index), never to hash or arrival order.
 * Members of the other groups lost: they answered otherwise than their peers ("inconsistent
 * result").
 *
 * <h2>Everything else</h2>
 * Failures ({@link Outcome#blamesBackend()}) take no part in the vote and are listed for
 * degradation. Slots never reached are listed apart: not the backend's failure. The round is
 * <em>overloaded</em> when the JVM did not get to run a slot at all, or when it has two or more slots
 * and none of them ended within its deadline: then the RAID is short of threads or CPU, not every
 * backend broken at once, and nobody is degraded for it. A {@link VirtualMachineError} and an error
 * of the RAID's own code are kept to be rethrown.
 *
 * @param <T> the round's result type
 */
final class Verdict<T> {

  /** One group of backends that answered alike. */
  static final class Group<T> {
    private final Object key;
    private final List<Round.Slot<T>> members = new ArrayList<>(4);
    private Round.Slot<T> first;

    private Group(Object key) {
      this.key = key;
    }

    /** Returns the members, in target order. */
    List<Round.Slot<T>> members() {
      return members;
    }

    /** Returns the first member (the earliest configured). */
    Round.Slot<T> first() {
      return first;
    }

    /** Returns the number of members. */
    int size() {
      return members.size();
    }

    /** Returns whether the group refused (an answer or a caller error) rather than succeeded. */
    boolean isRefusal() {
      return key instanceof RefusalKey;
    }

    /** Returns the group's refusal, to throw to the caller; null for a group of successes. */
    RuntimeException refusal() {
      return isRefusal() ? (RuntimeException) first.error() : null;
    }

    /** Returns the value the group agreed on (the first member's); null for a refusal. */
    T value() {
      return isRefusal() ? null : first.value();
    }

    /** Describes what the group answered, for reasons. */
    String describe() {
      if (key instanceof RefusalKey refusal) {
        return refusal.describe();
      }
      return key == SUCCESS ? "success" : String.valueOf(key);
    }

    private void add(Round.Slot<T> slot) {
      members.add(slot);
      if (first == null || slot.backend().index() < first.backend().index()) {
        first = slot;
      }
    }

    /** Returns whether this group beats {@code other}: more members, or a tie and earlier. */
    private boolean beats(Group<T> other) {
      int size = members.size();
      int otherSize = other.members.size();
      return size > otherSize
          || (size == otherSize && first.backend().index() < other.first.backend().index());
    }
  }

  /** The key of a value-less success, and of successes that all count as equal. */
  static final Object SUCCESS = new Object() {
    @Override
    public String toString() {
      return "success";
    }
  };

  /** What makes two refusals equal: the exception class and its subject. */
  record RefusalKey(Class<?> type, Object subject) {
    static RefusalKey of(Throwable e) {
      Object subject = switch (e) {
        case ConflictException c -> c.oid();
        case ObjectNotFoundException n -> n.oid();
        case StaleTidException s -> s.tid();
        case CommitLockTimeoutException t -> null;
        case StorageException other -> other.getMessage();
        case LimitExceededException limit -> limit.limit();
        default -> null;
      };
      return new RefusalKey(e.getClass(), subject);
    }

    String describe() {
      return type.getSimpleName() + (subject == null ? "" : " (" + subject + ")");
    }
  }

  private final Round<T> round;
  private final List<Group<T>> groups = new ArrayList<>(4);
  private final List<Round.Slot<T>> blamed = new ArrayList<>(2);
  private final List<Round.Slot<T>> notReached = new ArrayList<>(1);
  private Throwable fatal;
  private RuntimeException raidError;
  private Group<T> winner;
  private int finished;

  private Verdict(Round<T> round) {
    this.round = round;
  }

  /**
   * Reads a finished round. {@code keyOf} gives the vote key of a successful value
   * ({@code v -> SUCCESS} when every success counts as equal).
   */
  static <T> Verdict<T> of(Round<T> round, Function<? super T, Object> keyOf) {
    Verdict<T> verdict = new Verdict<>(round);
    for (Round.Slot<T> slot : round.slots()) {
      Outcome outcome = slot.outcome();
      if (outcome.finished()) {
        verdict.finished++;
      }
      switch (outcome) {
        case SUCCESS -> verdict.group(keyOf.apply(slot.value())).add(slot);
        case ANSWER, CALLER_ERROR -> verdict.group(RefusalKey.of(slot.error())).add(slot);
        case FAILURE, NO_RESPONSE, IN_DOUBT -> verdict.blamed.add(slot);
        case NOT_REACHED -> verdict.notReached.add(slot);
        case RAID_ERROR -> {
          if (verdict.raidError == null) {
            verdict.raidError = (RuntimeException) slot.error();
          }
        }
        case FATAL -> {
          if (verdict.fatal == null) {
            verdict.fatal = slot.error();
          }
        }
      }
    }
    for (Group<T> group : verdict.groups) {
      if (verdict.winner == null || group.beats(verdict.winner)) {
        verdict.winner = group;
      }
    }
    return verdict;
  }

  private Group<T> group(Object key) {
    for (Group<T> group : groups) {
      if (Objects.equals(group.key, key)) {
        return group;
      }
    }
    Group<T> group = new Group<>(key);
    groups.add(group);
    return group;
  }

  /** Returns the round this verdict reads. */
  Round<T> round() {
    return round;
  }

  /** Returns the winning group, or null if no backend voted. */
  Group<T> winner() {
    return winner;
  }

  /** Returns whether the winner is a group of successes. */
  boolean succeeded() {
    return winner != null && !winner.isRefusal();
  }

  /** Returns the groups that did not win. */
  List<Group<T>> losers() {
    if (groups.size() <= 1) {
      return List.of();
    }
    List<Group<T>> losers = new ArrayList<>(groups.size() - 1);
    for (Group<T> group : groups) {
      if (group != winner) {
        losers.add(group);
      }
    }
    return losers;
  }

  /** Returns the slots whose backend failed (error, no response, in doubt), in target order. */
  List<Round.Slot<T>> blamed() {
    return blamed;
  }

  /** Returns the slots whose thread never got to call the backend. */
  List<Round.Slot<T>> notReached() {
    return notReached;
  }

  /**
   * Returns whether the RAID, not its backends, was at fault: a slot was never reached, or two or
   * more slots all missed their deadlines.
   */
  boolean overloaded() {
    return !notReached.isEmpty() || (round.size() >= 2 && finished == 0);
  }

  /** Returns whether no slot ended within its deadline (and there was at least one). */
  boolean noneFinished() {
    return round.size() > 0 && finished == 0;
  }

  /** Returns the first {@link VirtualMachineError} a backend thread hit, or null. */
  Throwable fatal() {
    return fatal;
  }

  /** Returns the first error of the RAID's own code inside a slot, or null. */
  RuntimeException raidError() {
    return raidError;
  }
}
