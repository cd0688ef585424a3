package org.loomraid.jmh;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * What the sections of {@code loomraid compare} (the quick comparison, {@code --postgres},
 * {@code --real}) share: parsing option values with an error that names the option, the JMH
 * settings every section measures with, running the selection with a progress line, and writing
 * the CSV.
 */
final class CompareArgs {

  private CompareArgs() {}

  /**
   * Parses a whole number in {@code min..max}.
   *
   * @throws UsageException naming the option {@code name}
   */
  static int integer(String name, String value, int min, int max) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " needs a whole number, not '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw new UsageException(
          name + " must be between " + min + " and " + max + ", was " + parsed);
    }
    return parsed;
  }

  /**
   * Parses a comma-separated list of whole numbers in {@code min..max}, without repeats, in order.
   *
   * @throws UsageException naming the option {@code name}
   */
  static List<Integer> integers(String name, String value, int min, int max) {
    LinkedHashSet<Integer> values = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      if (part.isBlank()) {
        throw new UsageException(name + " needs a comma-separated list, not '" + value + "'");
      }
      values.add(integer(name, part, min, max));
    }
    return List.copyOf(values);
  }

  /**
   * Parses a JMH time of at least 1 ms, such as {@code 1s} or {@code 500ms}.
   *
   * @throws UsageException naming the option {@code name}
   */
  static TimeValue time(String name, String value) {
    TimeValue parsed;
    try {
      parsed = TimeValue.fromString(value.trim());
    } catch (RuntimeException e) {
      throw new UsageException(name + " needs a time such as 1s or 500ms, not '" + value + "'");
    }
    if (parsed.convertTo(TimeUnit.MILLISECONDS) < 1) {
      throw new UsageException(name + " must be at least 1ms, was " + value);
    }
    return parsed;
  }

  /**
   * Parses the file {@code --csv} writes to: a valid path, not a directory, in a directory that
   * exists, writable.
   *
   * @throws UsageException saying what is wrong with it
   */
  static Path csvPath(String value) {
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      throw new UsageException("--csv: not a valid path: '" + value + "'");
    }
    if (value.isBlank() || Files.isDirectory(path)) {
      throw new UsageException("--csv needs a file, not the directory '" + value + "'");
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UsageException("--csv: the directory of '" + value + "' does not exist");
    }
    if (!Files.isWritable(parent) || (Files.exists(path) && !Files.isWritable(path))) {
      throw new UsageException("--csv: cannot write '" + value + "'");
    }
    return path;
  }

  /**
   * Reports bad options on {@code err}: the problem, then the section's {@code usage}; returns the
   * exit status for bad options, 2.
   */
  static int refuse(UsageException e, String usage, PrintStream err) {
    err.println("loomraid compare: " + e.getMessage());
    err.println();
    err.print(usage);
    return 2;
  }

  /**
   * The JMH settings every section of {@code compare} takes (forks, warm-up and measurement
   * iterations), implemented by each section's options record.
   */
  interface JmhRun {

    int forks();

    int warmupIterations();

    TimeValue warmupTime();

    int iterations();

    TimeValue iterationTime();

    /**
     * Returns JMH options as every section measures: sample time in microseconds, one thread,
     * these forks and iterations, failing on a benchmark's error. The caller adds its selection.
     */
    default ChainedOptionsBuilder sampleTime() {
      return new OptionsBuilder()
          .mode(Mode.SampleTime)
          .timeUnit(TimeUnit.MICROSECONDS)
          .threads(1)
          .forks(forks())
          .warmupIterations(warmupIterations())
          .warmupTime(warmupTime())
          .measurementIterations(iterations())
          .measurementTime(iterationTime())
          .shouldFailOnError(true);
    }

    /** The settings in one line, for a table's header. */
    default String jmhSettings() {
      return "forks " + forks() + ", warm-up " + warmupIterations() + " x " + warmupTime()
          + ", measurement " + iterations() + " x " + iterationTime()
          + ", mode SampleTime, 1 thread";
    }
  }

  /**
   * Runs the JMH selection, showing a progress line on {@code err} (or JMH's own output when
   * {@code verbose}). Returns null, having said why on {@code err}, if a benchmark failed.
   *
   * @param runs how many benchmark runs the selection makes, for the progress line
   * @param what what failed, for the message: "a benchmark", "a PostgreSQL benchmark", ...
   */
  static Collection<RunResult> measure(Options jmh, int runs, boolean verbose, PrintStream err,
      String what) {
    ProgressFormat progress = verbose ? null : new ProgressFormat(err, runs);
    OutputFormat format = progress != null ? progress
        : OutputFormatFactory.createFormatInstance(err, VerboseMode.NORMAL);
    try {
      return new Runner(jmh, format).run();
    } catch (RunnerException | RuntimeException e) {
      if (progress != null) {
        err.println();
        err.println(progress.transcript());
      }
      err.println("loomraid compare: " + what + " failed: " + describe(e));
      return null;
    }
  }

  /**
   * Writes {@code text} to the CSV file if one was asked for; returns false, having said why on
   * {@code err}, if it cannot be written.
   */
  static boolean writeCsv(Optional<Path> csv, String text, PrintStream err) {
    if (csv.isEmpty()) {
      return true;
    }
    try {
      Files.writeString(csv.get(), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("loomraid compare: cannot write " + csv.get() + ": " + e);
      return false;
    }
    err.println("loomraid compare: wrote " + csv.get());
    return true;
  }

  /** An exception with its chain of causes, one a line. */
  static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(e.toString());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append("\n  caused by ").append(cause);
    }
    return text.toString();
  }
}
