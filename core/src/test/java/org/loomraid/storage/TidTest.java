package org.loomraid.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TidTest {

  @Test
  void noneIsZeroAndOfZeroIsNone() {
    assertEquals(0, Tid.NONE.value());
    assertSame(Tid.NONE, Tid.of(0));
    assertTrue(Tid.NONE.isNone());
    assertFalse(Tid.of(1).isNone());
  }

  @Test
  void negativeValueIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tid.of(-1));
    assertTrue(e.getMessage().contains("tid") && e.getMessage().contains("-1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Tid(Long.MIN_VALUE));
  }

  @Test
  void ordersByValue() {
    Tid small = Tid.of(5);
    Tid large = Tid.of(6);
    assertTrue(small.compareTo(large) < 0);
    assertTrue(large.isAfter(small));
    assertTrue(small.isBefore(large));
    assertFalse(small.isAfter(small));
    assertFalse(small.isBefore(small));
    assertEquals(large, small.next());
    assertTrue(Tid.of(1).isAfter(Tid.NONE));
  }

  @Test
  void nextOfTheLargestTidOverflowsLoudly() {
    assertThrows(ArithmeticException.class, () -> Tid.of(Long.MAX_VALUE).next());
  }

  @Test
  void convertsToAndFromInstantsAtMicrosecondPrecision() {
    Instant instant = Instant.parse("2026-03-04T05:06:07.123456789Z");
    Tid tid = Tid.of(instant);
    assertEquals(Instant.parse("2026-03-04T05:06:07.123456Z"), tid.instant());
    assertEquals(tid, Tid.of(tid.instant()));
    assertSame(Tid.NONE, Tid.of(Instant.EPOCH));
    assertThrows(IllegalArgumentException.class, () -> Tid.of(Instant.EPOCH.minusSeconds(1)));
  }

  @Test
  void toStringShowsHexAndInstant() {
    Tid tid = Tid.of(Instant.parse("2026-03-04T05:06:07.123456Z"));
    String text = tid.toString();
    assertTrue(text.startsWith("tid 0x"), text);
    assertTrue(text.contains(String.format("%016x", tid.value())), text);
    assertTrue(text.contains("2026-03-04T05:06:07.123456Z"), text);
    assertEquals("tid NONE", Tid.NONE.toString());
  }

  @Test
  void requireRealRefusesNullAndNoneNamingTheArgument() {
    assertEquals("serial must not be null", assertThrows(IllegalArgumentException.class,
        () -> Tid.requireReal(null, "serial")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Tid.requireReal(Tid.NONE, "before")).getMessage().startsWith("before "));
    Tid real = Tid.of(7);
    assertSame(real, Tid.requireReal(real, "tid"));
  }

  @Test
  void equalByValue() {
    assertEquals(Tid.of(42), new Tid(42));
    assertEquals(Tid.of(42).hashCode(), new Tid(42).hashCode());
  }
}
