package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MeasurementTest {

  @Test
  void impossibleConfigurationsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new Measurement(0, 0, 1, CommitPath.SEQUENTIAL, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new Measurement(1, -1, 1, CommitPath.SEQUENTIAL, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new Measurement(1, 0, 0, CommitPath.SEQUENTIAL, 1, 1));
    assertThrows(NullPointerException.class, () -> new Measurement(1, 0, 1, null, 1, 1));
  }

  @Test
  void timingsThatCannotBeMeasuredAreRejected() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class,
          () -> new Measurement(1, 0, 1, CommitPath.FLOOR, bad, 1));
      assertThrows(IllegalArgumentException.class,
          () -> new Measurement(1, 0, 1, CommitPath.FLOOR, 1, bad));
    }
  }
}
