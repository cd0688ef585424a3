package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.List;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.server.StorageServer;
import org.loomraid.raid.StorageOpener;
import org.loomraid.storage.MemoryStorage;

/**
 * Remote backends for a benchmark: one {@link StorageServer} per backend on the loopback address,
 * each serving a {@link MemoryStorage} of its own, so that what is measured is the network path
 * (the protocol, loopback TCP, the server's threads and the client), not a disk. Each opener
 * connects a new {@link RemoteStorage} client to its server, as a RAID's recovery expects. Closing
 * stops every server and drops its storage.
 */
final class RemoteBackends implements AutoCloseable {

  private final List<StorageServer> servers = new ArrayList<>();
  private final List<MemoryStorage> storages = new ArrayList<>();
  private final List<StorageOpener> openers = new ArrayList<>();

  /** Starts {@code count} servers on free loopback ports. */
  RemoteBackends(int count) {
    try {
      for (int i = 0; i < count; i++) {
        String name = "r" + i;
        MemoryStorage storage = MemoryStorage.create(name);
        storages.add(storage);
        StorageServer server = StorageServer.builder(storage).port(0).start();
        servers.add(server);
        int port = server.port();
        openers.add(() -> RemoteStorage.builder("127.0.0.1", port).name(name).connect());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** One opener per backend, in order. */
  List<StorageOpener> openers() {
    return openers;
  }

  /** Stops every server and closes its storage; the clients should be closed first. */
  @Override
  public void close() {
    servers.forEach(StorageServer::close);
    storages.forEach(MemoryStorage::close);
  }
}
