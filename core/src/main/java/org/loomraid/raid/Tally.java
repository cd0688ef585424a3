package org.loomraid.raid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.loomraid.storage.CommitLockTimeoutException;
import org.loomraid.storage.ConflictException;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.StaleTidException;
import org.loomraid.storage.StorageException;

/**
 * The vote over one round: groups the backends that answered (a value or a
 * {@link StorageException}) by what they answered, and picks the winning group.
 *
 * <h2>The rule</h2>
 * Successes are equal when their keys are equal (the caller says what the key of a value is);
 * answers are equal when they have the same exception class and the same subject (the object of a
 * conflict or of a not-found answer, the tid of a stale-tid answer; for other answers the message).
 * The largest group wins. <b>Ties go to the group that contains the earliest-configured backend</b>
 * (lowest configuration index) — never to hash or arrival order. So with three backends that all
 * answer differently, the first-configured backend's answer wins and the other two lose; with two
 * backends that disagree 1:1, the first-configured one wins. Failures (errors, no response) take no
 * part in the vote; they are listed separately.
 *
 * @param <T> the round's result type
 */
final class Tally<T> {

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

    /** Returns whether the group answered with a {@link StorageException}. */
    boolean isAnswer() {
      return key instanceof AnswerKey;
    }

    /** Returns the group's answer, or null if it is a group of successes. */
    StorageException answer() {
      return isAnswer() ? (StorageException) first().error() : null;
    }

    /** Describes what the group answered, for reasons. */
    String describe() {
      if (key instanceof AnswerKey answerKey) {
        return answerKey.describe();
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

  /** The key of a value-less success. */
  static final Object SUCCESS = new Object() {
    @Override
    public String toString() {
      return "success";
    }
  };

  /** What makes two answers equal: the exception class and its subject. */
  record AnswerKey(Class<?> type, Object subject) {
    static AnswerKey of(StorageException e) {
      Object subject = switch (e) {
        case ConflictException c -> c.oid();
        case ObjectNotFoundException n -> n.oid();
        case StaleTidException s -> s.tid();
        case CommitLockTimeoutException t -> null;
        default -> e.getMessage();
      };
      return new AnswerKey(e.getClass(), subject);
    }

    String describe() {
      return type.getSimpleName() + (subject == null ? "" : " (" + subject + ")");
    }
  }

  private final List<Group<T>> groups = new ArrayList<>(4);
  private final List<Round.Slot<T>> failures = new ArrayList<>(2);
  private Throwable fatal;
  private Group<T> winner;

  private Tally() {}

  /**
   * Tallies a finished round. {@code keyOf} gives the vote key of a successful value
   * ({@code v -> SUCCESS} when every success counts as equal).
   */
  static <T> Tally<T> of(Round<T> round, Function<? super T, Object> keyOf) {
    Tally<T> tally = new Tally<>();
    for (Round.Slot<T> slot : round.slots()) {
      switch (slot.outcome()) {
        case SUCCESS -> tally.group(keyOf.apply(slot.value())).add(slot);
        case ANSWER -> tally.group(AnswerKey.of((StorageException) slot.error())).add(slot);
        case FATAL -> {
          if (tally.fatal == null) {
            tally.fatal = slot.error();
          }
        }
        case FAILURE, NO_RESPONSE -> tally.failures.add(slot);
      }
    }
    for (Group<T> group : tally.groups) {
      if (tally.winner == null || group.beats(tally.winner)) {
        tally.winner = group;
      }
    }
    return tally;
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

  /** Returns the winning group, or null if no backend answered. */
  Group<T> winner() {
    return winner;
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

  /** Returns the slots that failed (error or no response), in target order. */
  List<Round.Slot<T>> failures() {
    return failures;
  }

  /** Returns the first {@link VirtualMachineError} a backend thread hit, or null. */
  Throwable fatal() {
    return fatal;
  }
}
