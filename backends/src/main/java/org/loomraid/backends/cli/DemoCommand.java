package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.RaidStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loomraid demo}: three file-backed storage servers and a RAID over them, in one process,
 * through a failure and a recovery, narrating each step.
 */
@Command(name = "demo",
    description = {"Watches a RAID lose a server and recover it (self-contained, a few seconds).",
        "%nStarts three storage servers, each over its own file storage, and a RAID over"
        + " them, served as a front-end, all in this process. Writes through the front-end, kills"
        + " server b, keeps writing while the RAID takes b out of service, shows the RAID's"
        + " details as 'loomraid ctl details' would, restarts b and recovers it, shows the RAID"
        + " OPTIMAL again, checks that the three servers hold identical histories, and cleans up."},
    exitCodeList = {
        "0:the demo ended OPTIMAL with identical histories",
        "1:it did not",
        "3:bad arguments"})
final class DemoCommand implements Callable<Integer> {

  private static final List<String> BACKENDS = List.of("a", "b", "c");
  private static final String VICTIM = "b";

  @Spec
  private CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "where to create the three storage directories (default: a new temporary"
          + " directory, deleted at the end)")
  private Path dir;

  @Option(names = "--keep", description = "keep the directories")
  private boolean keep;

  private PrintWriter out;
  private int step;

  @Override
  public Integer call() throws UsageException {
    this.out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path root;
    try {
      root = dir != null ? Files.createDirectories(dir)
          : Files.createTempDirectory("loomraid-demo-");
    } catch (IOException e) {
      throw new UsageException("--dir: cannot create the directory: " + e.getMessage());
    }
    boolean success;
    try (Running running = new Running()) {
      success = walkThrough(root, running);
    } catch (RuntimeException e) {
      err.println("loomraid demo: failed: " + e);
      success = false;
    } finally {
      out.flush();
      if (!keep) {
        delete(root);
      }
    }
    narrate("Cleaned up" + (keep ? "; the directories stay in " + root : ""));
    out.println(success ? "\nDemo finished: the RAID is OPTIMAL and nothing was lost."
        : "\nDemo FAILED (see above).");
    return success ? ExitCode.OK : ExitCode.WARNING;
  }

  private boolean walkThrough(Path root, Running running) {
    narrate("Start three storage servers, each over its own file storage in " + root);
    List<Served> servers = new ArrayList<>();
    for (String name : BACKENDS) {
      servers.add(startServer(running, root, name, 0));
    }

    narrate("Open RAID 'demo' over the three servers (remote:127.0.0.1:PORT backends) and serve"
        + " it as a front-end");
    RaidStorage.Builder builder = RaidStorage.builder("demo").callTimeout(Duration.ofSeconds(2));
    for (int i = 0; i < BACKENDS.size(); i++) {
      int port = servers.get(i).server().port();
      String name = BACKENDS.get(i);
      builder.backend(name, () -> RemoteStorage.builder("127.0.0.1", port).name(name)
          .connectTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(4)).connect());
    }
    RaidStorage raid = running.add(builder.open());
    StorageServer front = running.add(StorageServer.builder(raid).raidAdmin(raid.admin()).start());
    RemoteStorage client = running.add(RemoteStorage.connect("127.0.0.1", front.port()));
    RemoteRaidAdmin admin = client.admin();
    out.println("  front-end listening on 127.0.0.1:" + front.port() + "; RAID status "
        + admin.status());

    narrate("An application writes 20 transactions through the front-end");
    Tid last = write(client, 0, 20);
    out.println("  last committed: " + last);

    narrate("Kill server " + VICTIM + ": its connections drop, its storage goes away");
    int victim = BACKENDS.indexOf(VICTIM);
    int victimPort = servers.get(victim).server().port();
    servers.get(victim).server().shutdown(Duration.ofMillis(1));
    servers.get(victim).storage().close();
    out.println("  server " + VICTIM + " on port " + victimPort + " is gone");

    narrate("Keep writing: the RAID's next call to " + VICTIM + " fails, the RAID takes it out of"
        + " service and commits on a and c");
    last = write(client, 20, 10);
    out.println("  10 more transactions committed, the last " + last);

    narrate("loomraid ctl details");
    details(admin);

    narrate("Restart server " + VICTIM + " on port " + victimPort
        + " over the same directory, then: loomraid ctl recover " + VICTIM);
    startServer(running, root, VICTIM, victimPort);
    RemoteRaidAdmin.Backend recovering = admin.recover(VICTIM);
    out.println("  recovering " + VICTIM + ": " + recovering.state());
    RemoteRaidAdmin.Backend recovered = awaitRecovery(admin);
    out.println("  backend " + VICTIM + " is " + recovered.state()
        + (recovered.reason().isEmpty() ? "" : ": " + recovered.reason()));

    narrate("loomraid ctl details");
    String status = details(admin);

    narrate("Check: the three servers hold identical histories");
    boolean identical = identicalHistories(servers, victimPort);
    return status.equals("OPTIMAL") && identical;
  }

  /** A storage server and the file storage it serves. */
  private record Served(FileStorage storage, StorageServer server) {}

  private Served startServer(Running running, Path root, String name, int port) {
    Path directory;
    try {
      directory = Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FileStorage storage = running.add(FileStorage.builder(directory).name(name).open());
    StorageServer server = running.add(StorageServer.builder(storage).port(port)
        .drainTimeout(Duration.ofSeconds(2)).start());
    out.println("  server " + name + ": " + root.resolve(name) + " on 127.0.0.1:" + server.port()
        + (storage.lastTransaction().isNone() ? "" : " (last " + storage.lastTransaction() + ")"));
    return new Served(storage, server);
  }

  private static Tid write(Storage storage, int first, int count) {
    Tid last = Tid.NONE;
    for (int i = first; i < first + count; i++) {
      Oid oid = Oid.of(1 + i % 5);
      Tid serial;
      try {
        serial = storage.load(oid).serial();
      } catch (org.loomraid.storage.ObjectNotFoundException e) {
        serial = Tid.NONE;
      }
      try (StorageTransaction txn = storage.begin(TransactionMeta.of("demo", "write " + i))) {
        txn.store(oid, serial, ("value " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        txn.vote();
        last = txn.commit();
      }
    }
    return last;
  }

  private String details(RemoteRaidAdmin admin) {
    String status = admin.status();
    out.println("  RAID " + status);
    CtlCommand.print(admin.backends(), out);
    return status;
  }

  private RemoteRaidAdmin.Backend awaitRecovery(RemoteRaidAdmin admin) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String lastPhase = "";
    while (true) {
      RemoteRaidAdmin.Backend backend = admin.backends().stream()
          .filter(b -> b.name().equals(VICTIM)).findFirst().orElseThrow();
      String phase = backend.details().getOrDefault("recovery", backend.state());
      if (!phase.equals(lastPhase)) {
        out.println("  " + phase + (backend.details().containsKey("copied")
            ? " (" + backend.details().get("copied") + ")" : ""));
        lastPhase = phase;
      }
      if (!backend.state().equals("RECOVERING") || System.nanoTime() - deadline > 0) {
        return backend;
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  private boolean identicalHistories(List<Served> servers, int victimPort) {
    List<List<TransactionRecord>> histories = new ArrayList<>();
    for (int i = 0; i < BACKENDS.size(); i++) {
      int port = BACKENDS.get(i).equals(VICTIM) ? victimPort : servers.get(i).server().port();
      try (RemoteStorage backend = RemoteStorage.connect("127.0.0.1", port);
          TransactionIterator history = backend.transactions(Tid.NONE)) {
        List<TransactionRecord> records = new ArrayList<>();
        history.forEachRemaining(records::add);
        histories.add(records);
        out.println("  server " + BACKENDS.get(i) + ": " + records.size() + " transactions, last "
            + (records.isEmpty() ? Tid.NONE : records.get(records.size() - 1).tid()));
      }
    }
    boolean identical = histories.stream().allMatch(h -> h.equals(histories.get(0)));
    out.println(identical ? "  identical: every transaction, tid, meta and byte"
        : "  DIFFERENT histories");
    return identical;
  }

  private void narrate(String text) {
    out.println();
    out.println("[" + (++step) + "] " + text);
  }

  private static void delete(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
