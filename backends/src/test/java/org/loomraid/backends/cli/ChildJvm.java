package org.loomraid.backends.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private final Path log;

  private ChildJvm(String label, Process process, Path log) {
    this.label = label;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code loomraid ARGS} in a child JVM. */
  static ChildJvm start(String label, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1"); // these children are short-lived: start fast
    // One logging configuration by name: the class path holds two logback-test.xml files.
    command.add("-Dlogback.configurationFile=" + ChildJvm.class.getResource("/logback-test.xml"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoomraidCli.class.getName());
    command.addAll(List.of(args));
    // Output goes to a file: reading a pipe races with the JDK draining it when the child exits.
    Path log = Files.createTempFile("loomraid-" + label + "-", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new ChildJvm(label, process, log);
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
    for (String line : lines()) {
      Matcher matcher = READY.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(2));
      }
    }
    return -1;
  }

  /**
   * Kills the process at once (SIGKILL on Unix), as a crash would, and waits for it to end. The
   * signals go through the process handle, because {@code Process.destroy*()} also closes the
   * process's output stream and can lose lines still in the pipe.
   */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Asks the process to stop (SIGTERM), waits for it, and checks that it stopped gracefully: it
   * printed {@code stopped} and exited with the JVM's code for SIGTERM, 143.
   */
  void stop() throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(label + " did not stop on SIGTERM:\n" + output());
    }
    try {
      Awaitility.await(label + " output").atMost(Duration.ofSeconds(10))
          .until(() -> output().contains(": stopped"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(label + " did not stop gracefully (" + process.exitValue() + "):\n"
          + output(), e);
    }
    if (process.exitValue() != 143) {
      throw new AssertionError(label + " exited with " + process.exitValue() + ":\n" + output());
    }
  }

  /**
   * Freezes the process (SIGSTOP): it stops answering, but its sockets stay open and the kernel
   * keeps accepting bytes for it, like a machine that hangs.
   */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen process run again (SIGCONT). */
  void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
        .redirectErrorStream(true).start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
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
    return String.join("\n", lines());
  }

  private List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of("[output unreadable: " + e + "]");
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (process.isAlive()) {
      kill();
    }
    Files.deleteIfExists(log);
  }
}
