package org.loomraid.backends.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A child JVM running a main class of the test sources on the tests' java and class path. Collects
 * its output; {@link #close()} kills it (SIGKILL) if it still runs, so no process outlives a test.
 */
final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = Thread.ofVirtual().name("child-" + process.pid() + "-output").start(this::read);
  }

  static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output read failed: " + e + ")");
    }
  }

  /** Waits for a line starting with {@code prefix} and returns the rest of it. */
  String awaitLine(String prefix, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
        .failFast("child exited early; output: " + lines,
            () -> !process.isAlive() && !reader.isAlive() && find(prefix) == null)
        .until(() -> find(prefix) != null);
    return find(prefix);
  }

  private String find(String prefix) {
    for (String line : lines) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length());
      }
    }
    return null;
  }

  /** Kills the child with SIGKILL and waits until it is gone. */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL");
    }
  }

  @Override
  public void close() {
    process.toHandle().destroyForcibly();
  }
}
