package org.loomraid.backends.file;

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
import org.awaitility.Awaitility;

/**
 * A child JVM running a main class from the test sources, on the same java executable and class
 * path as the tests. Collects its output lines; {@link #close()} kills it (SIGKILL) if it is still
 * running, so tests can use it in try-with-resources and never leak a process.
 */
final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = TestThreads.start("child-" + process.pid() + "-output", false, this::readOutput);
  }

  /** Starts {@code mainClass} with {@code args}. */
  static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .directory(Path.of("").toAbsolutePath().toFile())
        .start();
    return new ChildJvm(process);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output read failed: " + e + ")");
    }
  }

  long pid() {
    return process.pid();
  }

  /** Every output line so far. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Output lines starting with {@code prefix}, without it. */
  List<String> linesStartingWith(String prefix) {
    List<String> matching = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith(prefix)) {
        matching.add(line.substring(prefix.length()));
      }
    }
    return matching;
  }

  /** Waits until at least {@code count} lines start with {@code prefix}. */
  void awaitLines(String prefix, int count, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .failFast("child exited early; output: " + lines, () -> !process.isAlive()
            && linesStartingWith(prefix).size() < count && outputComplete())
        .until(() -> linesStartingWith(prefix).size() >= count);
  }

  private boolean outputComplete() {
    return !reader.isAlive();
  }

  /**
   * Kills the child with SIGKILL and waits until it is gone and its output is read. The signal goes
   * through the process handle: {@code Process.destroyForcibly()} also closes the child's output
   * stream, losing lines still in the pipe that the reader has not reached yet.
   */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL");
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** Waits for the child to exit on its own; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " did not exit; output: " + lines);
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    return process.exitValue();
  }

  /** Kills the child if it is still running; never leaves a process behind. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
