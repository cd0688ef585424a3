package org.loomraid.jmh;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH output reduced to one progress line per benchmark run ({@code [3/30] ... mean 12.3 us/op}).
 *
 * <p>Everything else JMH prints (its banners, the forked JVMs' output, failure traces) is kept
 * and can be shown with {@link #transcript()} when a run fails, so nothing needed to diagnose a
 * failure is lost. Used by one thread, JMH's runner.
 */
final class ProgressFormat implements OutputFormat {

  private final PrintStream out;
  private final int total;
  private final List<String> transcript = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private int started;

  /**
   * @param out where progress lines go
   * @param total how many benchmark runs to expect, for the counter
   */
  ProgressFormat(PrintStream out, int total) {
    this.out = out;
    this.total = total;
  }

  /** Everything JMH printed that the progress lines left out, in order. */
  String transcript() {
    flushPartial();
    return String.join(System.lineSeparator(), transcript);
  }

  @Override
  public void startBenchmark(BenchmarkParams params) {
    started++;
    StringBuilder label = new StringBuilder();
    String name = params.getBenchmark();
    label.append(name, name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1, name.length());
    for (String key : params.getParamsKeys()) {
      label.append(' ').append(key).append('=').append(params.getParam(key));
    }
    out.printf(Locale.ROOT, "[%d/%d] %s ...", started, Math.max(total, started), label);
    out.flush();
  }

  @Override
  public void endBenchmark(BenchmarkResult result) {
    if (result == null) {
      out.println(" failed");
      return;
    }
    out.printf(Locale.ROOT, " mean %.1f %s%n",
        result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreUnit());
  }

  @Override
  public void iteration(BenchmarkParams params, IterationParams iteration, int index) {}

  @Override
  public void iterationResult(
      BenchmarkParams params, IterationParams iteration, int index, IterationResult result) {}

  @Override
  public void startRun() {}

  @Override
  public void endRun(Collection<RunResult> results) {}

  @Override
  public void print(String text) {
    partial.append(text);
  }

  @Override
  public void println(String text) {
    partial.append(text);
    flushPartial();
  }

  @Override
  public void verbosePrintln(String text) {
    println(text);
  }

  @Override
  public void write(int b) {
    partial.append((char) b);
  }

  @Override
  public void write(byte[] bytes) {
    partial.append(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {
    out.flush();
  }

  private void flushPartial() {
    if (!partial.isEmpty()) {
      transcript.add(partial.toString());
      partial.setLength(0);
    }
  }
}
