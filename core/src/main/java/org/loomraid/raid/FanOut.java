package org.loomraid.raid;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Round}: each slot's call on its own virtual thread (a call its backend declares
 * never blocks, such as a read or a transaction phase of a memory storage, on the caller's), each
 * under its deadline. Returns when every slot has finished or has been
 * given up at its deadline, never later (plus scheduling noise): a backend that ignores interrupts
 * is abandoned, not waited for.
 *
 * <p>Three implementations share these semantics: {@link SequentialFanOut} (one slot after
 * another), {@link ThreadFanOut} (all at once, plain virtual threads), and {@code StructuredFanOut}
 * (all at once in a {@code StructuredTaskScope}; compiled separately for JDK 25 with preview and
 * loaded by name when the JVM allows it). Instances are stateless and shared by all of a RAID's
 * callers.
 */
abstract class FanOut {

  private static final Logger log = LoggerFactory.getLogger(FanOut.class);

  static final String STRUCTURED_CLASS = "org.loomraid.raid.StructuredFanOut";

  /** Returns which implementation this is. */
  abstract FanOutKind kind();

  /** Runs every slot of {@code round}; see the class comment. */
  abstract void execute(Round<?> round);

  /**
   * Runs the slots that never block on the calling thread, in order. The caller's interrupt status
   * is put aside meanwhile (and restored), so that, as on a thread of its own, a backend call never
   * sees it.
   */
  static void runInline(Round<?> round) {
    boolean interrupted = false;
    for (Round.Slot<?> slot : round.slots()) {
      if (slot.inline()) {
        interrupted |= Thread.interrupted();
        slot.runInline();
      }
    }
    if (interrupted || Thread.interrupted()) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns the fan-out of the given kind.
   *
   * @throws RaidException if {@code kind} is {@link FanOutKind#STRUCTURED_TASK_SCOPE} and this JVM
   *     cannot run it (not JDK 25, or run without {@code --enable-preview})
   */
  static FanOut of(FanOutKind kind, RaidThreads threads) {
    return switch (kind) {
      case SEQUENTIAL -> new SequentialFanOut();
      case VIRTUAL_THREADS -> new ThreadFanOut();
      case STRUCTURED_TASK_SCOPE -> {
        FanOut structured = loadStructured(threads);
        if (structured == null) {
          throw new RaidException("the StructuredTaskScope fan-out is not available in this JVM ("
              + Runtime.version() + "); it needs JDK 25 run with --enable-preview");
        }
        yield structured;
      }
    };
  }

  /**
   * Returns the best parallel fan-out this JVM can run: the StructuredTaskScope one if it loads,
   * else plain virtual threads.
   */
  static FanOut preferred(RaidThreads threads) {
    FanOut structured = loadStructured(threads);
    return structured != null ? structured : new ThreadFanOut();
  }

  /**
   * Returns the StructuredTaskScope fan-out, or null if this JVM cannot load it: on JDK 21 to 24
   * (the class is not in the multi-release view), on JDK 25 without {@code --enable-preview}
   * (preview class file refused), or on any other JDK (class file version refused).
   */
  static FanOut loadStructured(RaidThreads threads) {
    try {
      Class<?> type = Class.forName(STRUCTURED_CLASS, true, FanOut.class.getClassLoader());
      return (FanOut) type.getDeclaredConstructor(RaidThreads.class).newInstance(threads);
    } catch (ClassNotFoundException | LinkageError e) {
      log.debug("StructuredTaskScope fan-out not available: {}", e.toString());
      return null;
    } catch (ReflectiveOperationException e) {
      log.warn("StructuredTaskScope fan-out could not be created; using plain virtual threads", e);
      return null;
    }
  }
}
