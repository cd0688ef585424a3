package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.runner.options.TimeValue;

class CompareOptionsTest {

  @TempDir Path dir;

  @Test
  void noArgumentsGiveTheDefaultProfile() {
    CompareOptions options = CompareOptions.parse();

    assertEquals(ComparisonProfile.DEFAULT, options.profile());
    assertEquals(List.of(1, 3, 8), options.backends());
    assertEquals(List.of(0, 100, 1000), options.latenciesMicros());
    assertEquals(List.of(10), options.records());
    assertEquals(CompareOptions.ALL_PATHS, options.paths());
    assertFalse(options.pathsGiven());
    assertEquals(1, options.forks());
    assertEquals(Optional.empty(), options.csv());
    assertFalse(options.verbose());
    assertFalse(options.help());
  }

  @Test
  void quickAndFullSelectTheirProfiles() {
    assertEquals(ComparisonProfile.QUICK, CompareOptions.parse("--quick").profile());
    CompareOptions full = CompareOptions.parse("--full");
    assertEquals(ComparisonProfile.FULL, full.profile());
    assertEquals(List.of(1, 2, 3, 5, 8), full.backends());
    assertEquals(List.of(1, 10, 100), full.records());
  }

  @Test
  void quickAndFullTogetherAreRejected() {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--quick", "--full"));
    assertTrue(e.getMessage().contains("--quick and --full"), e.getMessage());
  }

  @Test
  void explicitSettingsOverrideTheProfile() {
    CompareOptions options = CompareOptions.parse("--quick", "--backends", "2,5", "--latency",
        "0,250", "--records", "1", "-f", "2", "-wi", "0", "-w", "100ms", "-i", "4", "-r", "2s");

    assertEquals(ComparisonProfile.QUICK, options.profile());
    assertEquals(List.of(2, 5), options.backends());
    assertEquals(List.of(0, 250), options.latenciesMicros());
    assertEquals(List.of(1), options.records());
    assertEquals(2, options.forks());
    assertEquals(0, options.warmupIterations());
    assertEquals(100, options.warmupTime().convertTo(TimeUnit.MILLISECONDS));
    assertEquals(4, options.iterations());
    assertEquals(TimeValue.seconds(2), options.iterationTime());
  }

  @Test
  void longNamesAndInlineValuesAreAccepted() {
    CompareOptions options = CompareOptions.parse("--backends=4", "--forks=3",
        "--warmup-iterations", "2", "--warmup-time=1s", "--iterations", "5", "--time", "3s");

    assertEquals(List.of(4), options.backends());
    assertEquals(3, options.forks());
    assertEquals(2, options.warmupIterations());
    assertEquals(TimeValue.seconds(1), options.warmupTime());
    assertEquals(5, options.iterations());
    assertEquals(TimeValue.seconds(3), options.iterationTime());
  }

  @Test
  void repeatedListValuesCountOnce() {
    assertEquals(List.of(3, 1), CompareOptions.parse("--backends", "3,1,3").backends());
  }

  @Test
  void modesAreParsedIgnoringCaseAndMarkedAsGiven() {
    CompareOptions options = CompareOptions.parse("--modes", "parallel_threads, SEQUENTIAL");

    assertEquals(List.of(CommitPath.PARALLEL_THREADS, CommitPath.SEQUENTIAL), options.paths());
    assertTrue(options.pathsGiven());
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLOOR", "PARALLEL", "", "SEQUENTIAL,"})
  void unknownModesAreRejected(String modes) {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--modes", modes));
    assertTrue(e.getMessage().startsWith("--modes"), e.getMessage());
  }

  @Test
  void flagsAreRecognised() {
    assertTrue(CompareOptions.parse("-v").verbose());
    assertTrue(CompareOptions.parse("--verbose").verbose());
    assertTrue(CompareOptions.parse("-h").help());
    assertTrue(CompareOptions.parse("--help").help());
  }

  @Test
  void unknownOptionIsRejectedByName() {
    UsageException e = assertThrows(UsageException.class, () -> CompareOptions.parse("--fast"));
    assertEquals("unknown option: --fast", e.getMessage());
  }

  @Test
  void strayArgumentIsRejected() {
    UsageException e = assertThrows(UsageException.class, () -> CompareOptions.parse("full"));
    assertEquals("unexpected argument: full", e.getMessage());
  }

  @Test
  void optionWithoutItsValueIsRejected() {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--quick", "--csv"));
    assertEquals("--csv needs a value", e.getMessage());
  }

  @Test
  void flagGivenAValueIsRejected() {
    UsageException e = assertThrows(UsageException.class, () -> CompareOptions.parse("--full=1"));
    assertEquals("--full takes no value", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--backends=0", "--backends=65", "--latency=-1", "--latency=10000001",
      "--records=0", "--records=10001", "--forks=0", "--iterations=0", "--warmup-iterations=-1"})
  void valuesOutOfRangeAreRejectedNamingTheOption(String arg) {
    String name = arg.substring(0, arg.indexOf('='));
    UsageException e = assertThrows(UsageException.class, () -> CompareOptions.parse(arg));
    assertTrue(e.getMessage().startsWith(name + " must be between"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,,3", "three", "1;3", ",", "2.5"})
  void malformedListsAreRejected(String value) {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--backends", value));
    assertTrue(e.getMessage().startsWith("--backends needs"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "0ms", "1 parsec", "-1s"})
  void badTimesAreRejected(String value) {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("-r", value));
    assertTrue(e.getMessage().startsWith("-r "), e.getMessage());
  }

  @Test
  void csvIsAcceptedInAnExistingDirectory() throws IOException {
    Path target = dir.resolve("results.csv");
    assertEquals(Optional.of(target), CompareOptions.parse("--csv", target.toString()).csv());
    Files.writeString(target, "old");
    assertEquals(Optional.of(target), CompareOptions.parse("--csv=" + target).csv());
  }

  @Test
  void csvInAMissingDirectoryIsRejectedBeforeAnythingRuns() {
    String target = dir.resolve("missing").resolve("results.csv").toString();
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--csv", target));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void csvNamingADirectoryIsRejected() {
    UsageException e =
        assertThrows(UsageException.class, () -> CompareOptions.parse("--csv", dir.toString()));
    assertTrue(e.getMessage().contains("needs a file"), e.getMessage());
  }

  @Test
  void settingsLineNamesEveryJmhSetting() {
    String line = CompareOptions.parse("--quick", "-f", "2").jmhSettings();
    assertEquals("profile quick, forks 2, warm-up 1 x 300 ms, measurement 2 x 300 ms, "
        + "mode SampleTime, 1 thread", line);
  }
}
