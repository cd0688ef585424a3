package org.loomraid.raid;

import java.time.Duration;
import java.util.Locale;

/** Short human-readable texts for durations and exceptions, used in reasons and messages. */
final class Durations {

  private Durations() {}

  /**
   * Returns {@code 5s}, {@code 300ms}, {@code 1.50s}, {@code 250us}: the same text whatever the
   * default locale, since reasons are compared and parsed.
   */
  static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.3gs", nanos / 1e9);
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.3gms", nanos / 1e6);
    }
    return nanos / 1_000L + "us";
  }

  /** Returns {@code SimpleName: message} for an exception (just the name if it has no message). */
  static String describe(Throwable t) {
    String message = t.getMessage();
    String name = t.getClass().getSimpleName().isEmpty()
        ? t.getClass().getName() : t.getClass().getSimpleName();
    return message == null ? name : name + ": " + message;
  }
}
