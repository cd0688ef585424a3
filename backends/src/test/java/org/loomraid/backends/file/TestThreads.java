package org.loomraid.backends.file;

/** The one place the file storage tests create threads: named, platform or virtual. */
final class TestThreads {

  private TestThreads() {}

  /** Starts a thread called {@code name} running {@code task}. */
  static Thread start(String name, boolean virtual, Runnable task) {
    Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
    return builder.name(name).uncaughtExceptionHandler((thread, e) -> {
      System.err.println("uncaught in " + thread.getName() + ": " + e);
      e.printStackTrace();
    }).start(task);
  }
}
