package org.loomraid.backends.remote.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.backends.remote.wire.BackendView;

/**
 * A test aid for the command line's tests: a server whose "RAID" is a stand-in administration of
 * three backends (a, b, c), so that {@code ctl} can be exercised without the RAID engine.
 * Recovery of a backend completes at its next {@code backends()} call.
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
