package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code compare --postgres} section's command line and table (no server is started here). */
class PostgresComparisonTest {

  @Test
  void defaultsMeasureOneAndTenRecordsOnThreeDurableBackends() {
    PostgresComparison.Options options = PostgresComparison.parse(new String[] {"--postgres"});
    assertEquals(List.of(1, 10), options.records());
    assertEquals(3, options.backends());
    assertTrue(options.fsync());
    assertEquals(Optional.empty(), options.server());
  }

  @Test
  void optionsAreParsedAndBadOnesNamed() {
    PostgresComparison.Options options = PostgresComparison.parse(new String[] {"--postgres",
        "--records", "10", "--backends", "2", "--fsync", "off", "-i", "5", "-r", "500ms"});
    assertEquals(List.of(10), options.records());
    assertEquals(2, options.backends());
    assertEquals(false, options.fsync());
    assertEquals(5, options.iterations());
    assertTrue(assertThrows(UsageException.class, () -> PostgresComparison.parse(
        new String[] {"--postgres", "--fsync", "sometimes"})).getMessage().contains("--fsync"));
    assertTrue(assertThrows(UsageException.class, () -> PostgresComparison.parse(
        new String[] {"--postgres", "--backends", "9"})).getMessage().contains("--backends"));
    assertTrue(assertThrows(UsageException.class, () -> PostgresComparison.parse(
        new String[] {"--postgres", "--quick"})).getMessage().contains("--quick"));
    UsageException secret = assertThrows(UsageException.class, () -> PostgresComparison.parse(
        new String[] {"--postgres", "--server", "jdbc:mysql://h/db?password=hush"}));
    assertTrue(!secret.getMessage().contains("hush"), secret.getMessage());
  }

  @Test
  void compareHandsPostgresToItsSectionAndItsHelpExitsZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CompareRunner.run(new String[] {"--postgres", "--help"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status);
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: loomraid compare --postgres"));
    assertEquals(2, CompareRunner.run(new String[] {"--postgres", "--records", "x"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
  }

  @Test
  void theTableComparesEachPathWithTheFloorAndWithSequential() {
    List<PostgresComparison.Row> rows = List.of(
        new PostgresComparison.Row(CommitPath.FLOOR, 1, 10, 1000, 900, 1.0, Double.NaN),
        new PostgresComparison.Row(CommitPath.PARALLEL_THREADS, 3, 10, 1400, 1200, 1.333, 2.25));
    String table = PostgresComparison.table(rows);
    assertTrue(table.contains("PARALLEL_THREADS") && table.contains("2.25")
        && table.contains("1.33"), table);
    String csv = PostgresComparison.csv(rows);
    assertTrue(csv.startsWith("path,backends,records,mean_us,p50_us,p50_vs_floor,"
        + "speedup_vs_sequential\nFLOOR,1,10,1000.0,900.0,1.000,\n"), csv);
  }
}
