package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommitTargetsTest {

  private static Measurement m(int backends, int latency, CommitPath path, double mean) {
    // The mean is deliberately off: the targets are judged on medians.
    return new Measurement(backends, latency, 10, path, mean * 3, mean);
  }

  @Test
  void parallelWithinBothBoundsMeetsBothTargets() {
    List<String> verdicts = CommitTargets.verdicts(ComparisonTable.rows(List.of(
        m(1, 1000, CommitPath.FLOOR, 3000),
        m(3, 1000, CommitPath.SEQUENTIAL, 9000),
        m(3, 1000, CommitPath.PARALLEL_STRUCTURED, 3300))));

    assertEquals(1, verdicts.size());
    assertEquals("PARALLEL_STRUCTURED 3 backends, 10 records: 1.10 x floor (<= 1.10) MET; "
        + "speedup 2.73 (>= 2.70) MET", verdicts.get(0));
  }

  @Test
  void slowParallelMissesBothTargets() {
    List<String> verdicts = CommitTargets.verdicts(ComparisonTable.rows(List.of(
        m(1, 1000, CommitPath.FLOOR, 3000),
        m(8, 1000, CommitPath.SEQUENTIAL, 24000),
        m(8, 1000, CommitPath.PARALLEL_THREADS, 4000))));

    assertEquals("PARALLEL_THREADS    8 backends, 10 records: 1.33 x floor (<= 1.10) MISSED; "
        + "speedup 6.00 (>= 7.20) MISSED", verdicts.get(0));
  }

  @Test
  void onlyParallelPathsAtOneMillisecondAndUpToEightBackendsAreJudged() {
    List<String> verdicts = CommitTargets.verdicts(ComparisonTable.rows(List.of(
        m(1, 100, CommitPath.FLOOR, 300),
        m(3, 100, CommitPath.PARALLEL_THREADS, 330),
        m(1, 1000, CommitPath.FLOOR, 3000),
        m(3, 1000, CommitPath.SEQUENTIAL, 9000),
        m(9, 1000, CommitPath.PARALLEL_THREADS, 3100),
        m(3, 1000, CommitPath.PARALLEL_THREADS, 3100))));

    assertEquals(1, verdicts.size(), verdicts.toString());
    assertTrue(verdicts.get(0).startsWith("PARALLEL_THREADS    3 backends"), verdicts.get(0));
  }

  @Test
  void missingBaselinesAreSaidNotGuessed() {
    List<String> verdicts = CommitTargets.verdicts(ComparisonTable.rows(List.of(
        m(3, 1000, CommitPath.PARALLEL_THREADS, 3100))));

    assertEquals("PARALLEL_THREADS    3 backends, 10 records: floor not measured; "
        + "sequential not measured", verdicts.get(0));
  }

  @Test
  void withoutAnyOneMillisecondRunTheVerdictSaysSo() {
    List<String> verdicts = CommitTargets.verdicts(ComparisonTable.rows(List.of(
        m(1, 0, CommitPath.FLOOR, 10))));

    assertEquals(1, verdicts.size());
    assertTrue(verdicts.get(0).startsWith("no parallel configuration at 1000 us"), verdicts.get(0));
  }
}
