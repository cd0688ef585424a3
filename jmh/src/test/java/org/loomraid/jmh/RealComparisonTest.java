package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code compare --real} section's command line, tables and verdicts (nothing is measured). */
class RealComparisonTest {

  @Test
  void defaultsMeasureBothSectionsOnThreeBackendsWithTenRecords() {
    RealComparison.Options options = RealComparison.parse(new String[] {"--real"});
    assertEquals(Set.of("mirror", "recovery"), options.sections());
    assertEquals(3, options.backends());
    assertEquals(List.of(10), options.records());
    assertEquals(3, options.iterations());
  }

  @Test
  void optionsAreParsedAndBadOnesNamed() {
    RealComparison.Options options = RealComparison.parse(new String[] {"--real", "--sections",
        "mirror", "--backends", "2", "--records", "1,10", "-i", "5", "-r", "500ms"});
    assertEquals(Set.of("mirror"), options.sections());
    assertEquals(2, options.backends());
    assertEquals(List.of(1, 10), options.records());
    assertEquals(5, options.iterations());
    assertTrue(assertThrows(UsageException.class, () -> RealComparison.parse(
        new String[] {"--real", "--sections", "mirror,disk"})).getMessage().contains("disk"));
    assertTrue(assertThrows(UsageException.class, () -> RealComparison.parse(
        new String[] {"--real", "--backends", "9"})).getMessage().contains("--backends"));
    assertTrue(assertThrows(UsageException.class, () -> RealComparison.parse(
        new String[] {"--real", "--quick"})).getMessage().contains("--quick"));
    assertTrue(assertThrows(UsageException.class, () -> RealComparison.parse(
        new String[] {"--real", "-r"})).getMessage().contains("needs a value"));
  }

  @Test
  void aCsvFileThatCannotBeWrittenIsRefusedBeforeAnythingIsMeasured(@TempDir Path dir) {
    String missing = dir.resolve("no-such-directory").resolve("out.csv").toString();
    assertEquals("--csv: the directory of '" + missing + "' does not exist",
        assertThrows(UsageException.class, () -> RealComparison.parse(
            new String[] {"--real", "--csv", missing})).getMessage());
    assertEquals("--csv needs a file, not the directory '" + dir + "'",
        assertThrows(UsageException.class, () -> PostgresComparison.parse(
            new String[] {"--postgres", "--csv", dir.toString()})).getMessage());
  }

  @Test
  void compareHandsRealToItsSectionAndItsHelpExitsZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CompareRunner.run(new String[] {"--real", "--help"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status);
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: loomraid compare --real"));
    assertEquals(2, CompareRunner.run(new String[] {"--real", "--records", "x"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
  }

  @Test
  void theMirrorTableComparesEachPathWithItsOwnFloorAndWithSequential() {
    List<RealComparison.MirrorRow> rows = RealComparison.withMirrorRatios(List.of(
        mirror("REMOTE", CommitPath.PARALLEL_THREADS, 3, 400),
        mirror("FILE", CommitPath.SEQUENTIAL, 3, 3000),
        mirror("FILE", CommitPath.FLOOR, 1, 1000),
        mirror("REMOTE", CommitPath.FLOOR, 1, 200),
        mirror("FILE", CommitPath.PARALLEL_THREADS, 3, 1200),
        mirror("REMOTE", CommitPath.SEQUENTIAL, 3, 800)));
    assertEquals(List.of("FILE FLOOR", "FILE SEQUENTIAL", "FILE PARALLEL_THREADS", "REMOTE FLOOR",
        "REMOTE SEQUENTIAL", "REMOTE PARALLEL_THREADS"),
        rows.stream().map(r -> r.storage() + " " + r.path()).toList());
    RealComparison.MirrorRow fileParallel = rows.get(2);
    assertEquals(1.2, fileParallel.p50VsFloor(), 1e-9);
    assertEquals(2.5, fileParallel.speedupVsSequential(), 1e-9);
    assertEquals(2.0, rows.get(5).p50VsFloor(), 1e-9, "each storage has its own floor");
    String table = RealComparison.mirrorTable(rows);
    assertTrue(table.contains("PARALLEL_THREADS") && table.contains("2.50")
        && table.contains("1.20"), table);
    assertTrue(Double.isNaN(rows.get(0).speedupVsSequential()));
  }

  @Test
  void theRecoveryTableAndVerdictsCompareEachP99WithIdle() {
    List<RealComparison.RecoveryRow> rows = RealComparison.withRecoveryRatios(List.of(
        recovery("MEMORY", "RECOVERING", 150), recovery("MEMORY", "IDLE", 100),
        recovery("FILE", "IDLE", 4000), recovery("FILE", "RECOVERING", 12000)));
    assertEquals(List.of("MEMORY IDLE", "MEMORY RECOVERING", "FILE IDLE", "FILE RECOVERING"),
        rows.stream().map(r -> r.storage() + " " + r.phase()).toList());
    assertEquals(1.5, rows.get(1).p99VsIdle(), 1e-9);
    List<String> verdicts = RealComparison.recoveryVerdicts(rows);
    assertEquals(2, verdicts.size());
    assertTrue(verdicts.get(0).startsWith("MEMORY") && verdicts.get(0).endsWith("MET"),
        verdicts.get(0));
    assertTrue(verdicts.get(1).startsWith("FILE") && verdicts.get(1).endsWith("MISSED"),
        verdicts.get(1));
    String csv = RealComparison.csv(List.of(), rows);
    assertTrue(csv.startsWith(RealComparison.CSV_HEADER + "\nrecovery,MEMORY,IDLE,,,"), csv);
    assertEquals(RealComparison.CSV_HEADER.split(",", -1).length,
        csv.lines().skip(1).findFirst().orElseThrow().split(",", -1).length);
  }

  private static RealComparison.MirrorRow mirror(String storage, CommitPath path, int backends,
      double p50) {
    return new RealComparison.MirrorRow(storage, path, backends, 10, p50 * 1.1, p50, p50 * 3,
        Double.NaN, Double.NaN);
  }

  private static RealComparison.RecoveryRow recovery(String storage, String phase, double p99) {
    return new RealComparison.RecoveryRow(storage, phase, p99 / 3, p99 / 4, p99, Double.NaN);
  }
}
