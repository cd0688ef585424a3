package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ComparisonTableTest {

  private static Measurement m(int backends, int latency, int records, CommitPath path,
      double mean, double p50) {
    return new Measurement(backends, latency, records, path, mean, p50);
  }

  @Test
  void speedupAndRatioAreRatiosOfMedians() {
    List<ComparisonRow> rows = ComparisonTable.rows(List.of(
        m(1, 1000, 10, CommitPath.FLOOR, 9999, 2000),
        m(3, 1000, 10, CommitPath.SEQUENTIAL, 7777, 6000),
        m(3, 1000, 10, CommitPath.PARALLEL_THREADS, 2200, 2500)));

    ComparisonRow floor = rows.get(0);
    assertEquals(CommitPath.FLOOR, floor.measurement().path());
    assertEquals(OptionalDouble.empty(), floor.speedupVsSequential());
    assertEquals(1.0, floor.ratioToFloor().getAsDouble(), 1e-12);

    ComparisonRow sequential = rows.get(1);
    assertEquals(1.0, sequential.speedupVsSequential().getAsDouble(), 1e-12);
    assertEquals(3.0, sequential.ratioToFloor().getAsDouble(), 1e-12);

    ComparisonRow parallel = rows.get(2);
    assertEquals(2.4, parallel.speedupVsSequential().getAsDouble(), 1e-12);
    assertEquals(1.25, parallel.ratioToFloor().getAsDouble(), 1e-12);
  }

  @Test
  void rowsAreGroupedByWorkloadWithTheFloorFirst() {
    List<ComparisonRow> rows = ComparisonTable.rows(List.of(
        m(8, 100, 10, CommitPath.PARALLEL_THREADS, 300, 290),
        m(3, 100, 10, CommitPath.PARALLEL_STRUCTURED, 200, 190),
        m(1, 100, 10, CommitPath.FLOOR, 150, 140),
        m(3, 0, 10, CommitPath.SEQUENTIAL, 30, 29),
        m(3, 100, 10, CommitPath.SEQUENTIAL, 500, 490),
        m(1, 0, 10, CommitPath.FLOOR, 10, 9),
        m(3, 100, 1, CommitPath.SEQUENTIAL, 400, 390)));

    List<String> order = rows.stream()
        .map(r -> r.measurement().latencyMicros() + "/" + r.measurement().records() + "/"
            + r.measurement().backends() + "/" + r.measurement().path())
        .toList();
    assertEquals(List.of(
        "0/10/1/FLOOR", "0/10/3/SEQUENTIAL",
        "100/1/3/SEQUENTIAL",
        "100/10/1/FLOOR", "100/10/3/SEQUENTIAL", "100/10/3/PARALLEL_STRUCTURED",
        "100/10/8/PARALLEL_THREADS"), order);
  }

  @Test
  void ratiosAreEmptyWhenTheirBaselineWasNotMeasured() {
    List<ComparisonRow> rows = ComparisonTable.rows(List.of(
        m(1, 0, 10, CommitPath.FLOOR, 11, 10),
        m(3, 0, 10, CommitPath.PARALLEL_THREADS, 21, 20),
        m(3, 100, 10, CommitPath.SEQUENTIAL, 700, 690)));

    assertEquals(OptionalDouble.empty(), rows.get(1).speedupVsSequential());
    assertEquals(2.0, rows.get(1).ratioToFloor().getAsDouble(), 1e-12);
    assertEquals(1.0, rows.get(2).speedupVsSequential().getAsDouble(), 1e-12);
    assertEquals(OptionalDouble.empty(), rows.get(2).ratioToFloor());
  }

  @Test
  void speedupComparesWithSequentialOfTheSameBackendCountOnly() {
    List<ComparisonRow> rows = ComparisonTable.rows(List.of(
        m(2, 0, 10, CommitPath.SEQUENTIAL, 40, 39),
        m(3, 0, 10, CommitPath.PARALLEL_THREADS, 20, 19)));

    assertEquals(OptionalDouble.empty(), rows.get(1).speedupVsSequential());
  }

  @Test
  void measuringTheSameConfigurationTwiceIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ComparisonTable.rows(List.of(
            m(3, 0, 10, CommitPath.SEQUENTIAL, 40, 39),
            m(3, 0, 10, CommitPath.SEQUENTIAL, 41, 40))));
    assertTrue(e.getMessage().startsWith("measured twice"), e.getMessage());
  }

  @Test
  void csvHasTheDocumentedColumnsAndOneLinePerRow() {
    String csv = ComparisonTable.csv(ComparisonTable.rows(List.of(
        m(1, 1000, 10, CommitPath.FLOOR, 2100.5, 2000),
        m(3, 1000, 10, CommitPath.SEQUENTIAL, 6100, 6000),
        m(3, 1000, 10, CommitPath.PARALLEL_STRUCTURED, 2150.25, 2100))));

    assertEquals("""
        backends,latency_us,records,mode,mean_us,p50_us,speedup_vs_sequential,ratio_to_floor
        1,1000,10,FLOOR,2100.500,2000.000,,1.000
        3,1000,10,SEQUENTIAL,6100.000,6000.000,1.000,3.000
        3,1000,10,PARALLEL_STRUCTURED,2150.250,2100.000,2.857,1.050
        """, csv);
  }

  @Test
  void csvOfNoRowsIsTheHeaderAlone() {
    assertEquals(ComparisonTable.CSV_HEADER + "\n", ComparisonTable.csv(List.of()));
  }

  @Test
  void tableAlignsColumnsAndSeparatesWorkloadsByABlankLine() {
    String table = ComparisonTable.table(ComparisonTable.rows(List.of(
        m(1, 0, 10, CommitPath.FLOOR, 12.34, 11.0),
        m(3, 0, 10, CommitPath.SEQUENTIAL, 40, 39),
        m(1, 1000, 10, CommitPath.FLOOR, 2050, 2000),
        m(3, 1000, 10, CommitPath.PARALLEL_THREADS, 2150, 2100))));

    List<String> lines = table.lines().toList();
    assertEquals(6, lines.size(), table);
    assertTrue(lines.get(0).contains("speedup_vs_sequential"), lines.get(0));
    assertEquals("", lines.get(3));
    int width = lines.get(0).length();
    for (String line : List.of(lines.get(1), lines.get(2), lines.get(4), lines.get(5))) {
      assertEquals(width, line.length(), "misaligned: " + line);
    }
    assertTrue(lines.get(1).matches(" +1 +0 +10  FLOOR +12\\.3 +11\\.0 +- +1\\.00"), lines.get(1));
    assertTrue(lines.get(5).contains("PARALLEL_THREADS"), lines.get(5));
    assertTrue(lines.get(5).endsWith("1.05"), lines.get(5));
    assertFalse(table.contains(","), "locale-independent decimals expected: " + table);
  }
}
