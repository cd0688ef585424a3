package org.loomraid.backends.remote.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.ScrubView;

/**
 * A test aid for the command line's tests: a server whose "RAID" is a stand-in administration of
 * three backends (a, b, c), so that {@code ctl} can be exercised without the RAID engine.
 * Recovery of a backend completes at its next {@code backends()} call, a scrub at the next look at
 * it ({@code lastScrub()}).
 */
public final class FakeRaidServer implements AutoCloseable {

  private final MemoryStorage storage = MemoryStorage.create("fake-raid");
  private final FakeAdministration administration = new FakeAdministration();
  private final StorageServer server;

  private FakeRaidServer() {
    server = StorageServer.builder(storage).administration(administration).start();
  }

  /** Starts a server on a free loopback port. */
  public static FakeRaidServer start() {
    return new FakeRaidServer();
  }

  public int port() {
    return server.port();
  }

  /** Sets a backend's state and reason directly. */
  public void set(String backend, String state, String reason) {
    administration.force(backend, state, reason);
  }

  /** Makes the next recovery fail (the backend ends DEGRADED). */
  public void failNextRecovery() {
    administration.failNextRecovery = true;
  }

  /** Makes the next scrub find {@code backend} diverged (or, if null, two that differ). */
  public void divergeNextScrub(String backend) {
    administration.diverge = backend == null ? "" : backend;
  }

  /** Makes the next scrub fail. */
  public void failNextScrub() {
    administration.failNextScrub = true;
  }

  @Override
  public void close() {
    server.close();
    storage.close();
  }

  /** A stand-in for a RAID's administration: three backends whose states the calls change. */
  static final class FakeAdministration implements RaidAdministration {
    private final Map<String, BackendView> backends = new LinkedHashMap<>();

    FakeAdministration() {
      for (String name : List.of("a", "b", "c")) {
        backends.put(name, new BackendView(name, "OPTIMAL", "",
            Map.of("lastTid", "tid NONE")));
      }
    }

    @Override
    public synchronized String status() {
      return backends.values().stream().allMatch(b -> b.state().equals("OPTIMAL"))
          ? "OPTIMAL"
          : backends.values().stream().anyMatch(b -> b.state().equals("RECOVERING"))
              ? "RECOVERING"
              : "DEGRADED";
    }

    @Override
    public synchronized List<BackendView> backends() {
      List<BackendView> view = new ArrayList<>(backends.values());
      if (recovering != null) {
        if (failNextRecovery) {
          failNextRecovery = false;
          set(recovering, "DEGRADED", "recovery failed: source unreachable");
        } else {
          set(recovering, "OPTIMAL", "");
        }
        recovering = null;
      }
      return view;
    }

    @Override
    public synchronized void disable(String backend) {
      set(backend, "DEGRADED", "disabled by operator");
    }

    @Override
    public synchronized BackendView recover(String backend) {
      recovering = backend;
      return set(backend, "RECOVERING", "");
    }

    private String recovering;
    volatile boolean failNextRecovery;
    volatile String diverge;
    volatile boolean failNextScrub;
    private ScrubView scrub;
    private boolean scrubRunning;

    @Override
    public synchronized ScrubView scrub(boolean repair, boolean fromStart) {
      if (scrubRunning) {
        throw new IllegalStateException("a scrub is already running");
      }
      scrubRunning = true;
      scrub = scrubView("COMPARING", repair, List.of(), List.of(), "");
      return scrub;
    }

    @Override
    public synchronized Optional<ScrubView> lastScrub() {
      if (scrubRunning) {
        scrubRunning = false;
        if (failNextScrub) {
          failNextScrub = false;
          scrub = scrubView("FAILED", scrub.repair(), List.of(), List.of(),
              "scrub failed in comparing: a scrub compares two or more backends");
        } else {
          List<ScrubView.Finding> findings = new ArrayList<>();
          List<ScrubView.Repair> repairs = new ArrayList<>();
          if (diverge != null && !diverge.isEmpty()) {
            findings.add(new ScrubView.Finding("DIVERGED", List.of(diverge), Tid.of(7),
                Optional.of(Oid.of(42)), "the data of oid 42 differs"));
            set(diverge, scrub.repair() ? "OPTIMAL" : "DEGRADED",
                scrub.repair() ? "" : "diverged at tid 7");
            if (scrub.repair()) {
              repairs.add(new ScrubView.Repair(diverge, "DONE", ""));
            }
          } else if (diverge != null) {
            findings.add(new ScrubView.Finding("NO_MAJORITY", List.of("a", "b"), Tid.of(7),
                Optional.empty(), "metadata differs"));
          }
          diverge = null;
          scrub = scrubView("DONE", scrub.repair(), findings, repairs, "");
        }
      }
      return Optional.ofNullable(scrub);
    }

    @Override
    public synchronized Optional<ScrubView> cancelScrub() {
      if (!scrubRunning) {
        return Optional.empty();
      }
      scrubRunning = false;
      scrub = scrubView("CANCELLED", scrub.repair(), List.of(), List.of(), "scrub cancelled");
      return Optional.of(scrub);
    }

    private static ScrubView scrubView(String phase, boolean repair,
        List<ScrubView.Finding> findings, List<ScrubView.Repair> repairs, String failure) {
      boolean done = phase.equals("DONE");
      return new ScrubView(phase, repair, List.of("a", "b", "c"), Tid.NONE, Tid.of(100),
          done ? Tid.of(100) : Tid.NONE, done ? 100 : 0, 100, done ? 4096 : 0, 4096,
          Duration.ofMillis(done ? 20 : 0), findings.size(), 0, findings, Map.of(), repairs,
          failure);
    }

    synchronized void force(String backend, String state, String reason) {
      set(backend, state, reason);
    }

    @Override
    public synchronized void add(String backend, String spec) {
      if (backends.containsKey(backend)) {
        throw new IllegalArgumentException("backend '" + backend + "' exists already");
      }
      backends.put(backend, new BackendView(backend, "DEGRADED", "added",
          Map.of("spec", spec)));
    }

    @Override
    public synchronized void remove(String backend) {
      known(backend);
      backends.remove(backend);
    }

    @Override
    public boolean available() {
      return true;
    }

    private BackendView set(String backend, String state, String reason) {
      BackendView updated =
          new BackendView(backend, state, reason, known(backend).details());
      backends.put(backend, updated);
      return updated;
    }

    private BackendView known(String backend) {
      BackendView found = backends.get(backend);
      if (found == null) {
        throw new IllegalArgumentException("no backend named '" + backend + "'");
      }
      return found;
    }
  }
}
