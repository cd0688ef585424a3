package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** The texts of durations in reasons: short, and the same in every locale. */
class DurationsTest {

  @Test
  void formatsWholeAndFractionalUnits() {
    assertEquals("5s", Durations.format(Duration.ofSeconds(5)));
    assertEquals("300ms", Durations.format(Duration.ofMillis(300)));
    assertEquals("1.50s", Durations.format(Duration.ofMillis(1500)));
    assertEquals("2.50ms", Durations.format(Duration.ofNanos(2_500_000)));
    assertEquals("250us", Durations.format(Duration.ofNanos(250_000)));
  }

  @Test
  @ResourceLock(Resources.LOCALE)
  void formatIgnoresALocaleWithADecimalComma() {
    Locale saved = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    try {
      assertEquals("1.50s", Durations.format(Duration.ofMillis(1500)));
      assertEquals("2.50ms", Durations.format(Duration.ofNanos(2_500_000)));
    } finally {
      Locale.setDefault(saved);
    }
  }
}
