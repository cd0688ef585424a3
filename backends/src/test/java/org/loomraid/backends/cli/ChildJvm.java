package org.loomraid.backends.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A {@code loomraid} command running in a child JVM (the test's own class path and java), for
 * tests that need real processes: SIGKILL, restart, separate address spaces. Its output is
 * collected line by line; {@link #close()} kills it if it still runs.
 */
final class ChildJvm implements AutoCloseable {

  private static final Pattern READY = Pattern.compile(" on (\\S+):(\\d+)$");

  private final String label;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ChildJvm(String label, Process process) {
    this.label = label;
    this.process = process;
    Thread.ofVirtual().name("child-" + label + "-output").start(this::collect);
  }

  /** Starts {@code loomraid ARGS} in a child JVM. */
  static ChildJvm start(String label, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1"); // these children are short-lived: start fast
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoomraidCli.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new ChildJvm(label, process);
  }

  /** Waits for the "... on HOST:PORT" line a serving command prints; returns the port. */
  int awaitPort(Duration patience) {
    Awaitility.await(label + " ready").atMost(patience)
        .until(() -> readyPort() > 0 || !process.isAlive());
    int port = readyPort();
    if (port <= 0) {
      throw new AssertionError(label + " ended before it was ready:\n" + output());
    }
    return port;
  }

  private int readyPort() {
    for (String line : lines) {
      Matcher matcher = READY.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(2));
      }
    }
    return -1;
  }

  /** Kills the process at once (SIGKILL on Unix), as a crash would, and waits for it to end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Asks the process to stop (SIGTERM) and waits for it; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(label + " did not stop on SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /** Waits for the process to end by itself; returns the exit code. */
  int awaitExit(Duration patience) throws InterruptedException {
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(label + " did not finish within " + patience + ":\n" + output());
    }
    process.waitFor();
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  String output() {
    return String.join("\n", lines);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private void collect() {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("[output lost: " + e + "]");
    }
  }
}
