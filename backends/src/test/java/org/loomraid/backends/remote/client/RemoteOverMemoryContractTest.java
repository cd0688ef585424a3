package org.loomraid.backends.remote.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;
import org.loomraid.backends.remote.server.StorageServer;

/** The storage contract, through the network: RemoteStorage to a server over a MemoryStorage. */
class RemoteOverMemoryContractTest extends StorageContractTest {

  private final List<AutoCloseable> servers = new ArrayList<>();

  @Override
  protected Storage createStorage(String name) {
    MemoryStorage served = MemoryStorage.create(name);
    StorageServer server = StorageServer.builder(served).drainTimeout(Duration.ofSeconds(2)).start();
    servers.add(served);
    servers.add(server);
    return RemoteStorage.builder("127.0.0.1", server.port()).name(name).connect();
  }

  @AfterEach
  void stopServers() throws Exception {
    for (int i = servers.size() - 1; i >= 0; i--) {
      servers.get(i).close();
    }
    servers.clear();
  }
}
