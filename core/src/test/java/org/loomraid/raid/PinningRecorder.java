package org.loomraid.raid;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * Records {@code jdk.VirtualThreadPinned} events (a virtual thread that blocked while pinned to its
 * carrier) that loomraid code could have caused while a test runs, so the test can assert there
 * were none.
 *
 * <p>Counted: events with a loomraid frame on the stack, except those the JDK reports as "Freeze or
 * preempt failed": since JDK 24 a monitor no longer pins, and what is left of that kind comes from
 * VM frames during class loading, class initialisation and thread start, which code cannot avoid.
 * On JDK 21, where holding a monitor while blocking pins, every event with a loomraid frame counts.
 */
final class PinningRecorder implements AutoCloseable {

  private final RecordingStream stream = new RecordingStream();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger ignored = new AtomicInteger();
  private boolean stopped;

  private PinningRecorder() {
    stream.enable("jdk.VirtualThreadPinned").withoutThreshold().withStackTrace();
    stream.onEvent("jdk.VirtualThreadPinned", this::record);
    stream.startAsync();
  }

  static PinningRecorder start() {
    return new PinningRecorder();
  }

  private void record(RecordedEvent event) {
    if (involvesLoomraid(event) && !vmInternal(event)) {
      events.add(event.toString());
    } else {
      ignored.incrementAndGet();
    }
  }

  private static boolean vmInternal(RecordedEvent event) {
    return event.hasField("pinnedReason")
        && String.valueOf(event.getString("pinnedReason")).startsWith("Freeze or preempt failed");
  }

  private static boolean involvesLoomraid(RecordedEvent event) {
    if (event.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
      if (frame.getMethod().getType().getName().startsWith("org.loomraid.")) {
        return true;
      }
    }
    return false;
  }

  /** Stops recording (delivering every pending event) and returns the events that count. */
  List<String> pinnedEvents() {
    if (!stopped) {
      stopped = true;
      stream.stop();
      System.out.println("pinning events not caused by loomraid code (ignored): " + ignored.get());
    }
    return List.copyOf(events);
  }

  @Override
  public void close() {
    stream.close();
  }
}
