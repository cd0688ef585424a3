package org.loomraid.backends.remote.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;
import org.loomraid.backends.remote.server.StorageServer;

/**
 * The storage contract through the network over a durable storage: RemoteStorage to a server over
 * a FileStorage. Reopening stops the server and the file storage, then serves the same directory
 * again from a new server, so the durability tests cross a server restart.
 */
class RemoteOverFileContractTest extends StorageContractTest {

  @TempDir
  Path root;

  /** What serves each client: its directory, file storage and server. */
  private record Served(Path directory, FileStorage storage, StorageServer server) {}

  private final Map<Storage, Served> served = new HashMap<>();
  private final List<Served> all = new ArrayList<>();

  @Override
  protected Storage createStorage(String name) {
    try {
      return serve(Files.createDirectories(root.resolve(name)), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected Storage reopen(Storage closed) {
    Served previous = served.remove(closed);
    previous.server().close();
    previous.storage().close();
    return serve(previous.directory(), closed.name());
  }

  private Storage serve(Path directory, String name) {
    FileStorage storage = FileStorage.builder(directory).name(name).open();
    StorageServer server = StorageServer.builder(storage).drainTimeout(Duration.ofSeconds(2))
        .start();
    Served entry = new Served(directory, storage, server);
    all.add(entry);
    RemoteStorage client = RemoteStorage.builder("127.0.0.1", server.port()).name(name).connect();
    served.put(client, entry);
    return client;
  }

  @AfterEach
  void stopServers() {
    for (Served entry : all) {
      entry.server().close();
      entry.storage().close();
    }
    all.clear();
    served.clear();
  }
}
