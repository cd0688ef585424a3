package org.loomraid.backends.remote.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loomraid.backends.remote.Commits;
import org.loomraid.backends.remote.RawClient;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;

/**
 * A frame that is only announced costs the server almost nothing: 100 connections that each
 * announce a 32 MiB frame and send 8 bytes of it leave the heap flat, and the server goes on
 * serving.
 */
@Timeout(120)
class PayloadMemoryTest {

  private static final int CONNECTIONS = 100;
  /** Generous: a few buffers per connection; announcing 32 MiB each would take 3.2 GiB. */
  private static final long BOUND = 64L * 1024 * 1024;

  @Test
  void announcedButUnsentPayloadsHoldNoMemory() throws Exception {
    try (MemoryStorage storage = MemoryStorage.create("served");
        StorageServer server = StorageServer.builder(storage)
            .frameTimeout(Duration.ofMinutes(2)).start()) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = heapAfterGc(memory);
      List<RawClient> idle = new ArrayList<>();
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          RawClient raw = new RawClient(server.port());
          idle.add(raw);
          raw.handshake(null);
          raw.send(announcing(Protocol.MAX_FRAME_LENGTH, 8));
        }
        await().atMost(Duration.ofSeconds(30))
            .until(() -> ServerProbe.framesInProgress(server) == CONNECTIONS);
        long grown = heapAfterGc(memory) - before;
        System.out.printf("%d connections each announcing a %d MiB frame: heap grew %.1f MiB"
            + " (bound %d MiB)%n", CONNECTIONS, Protocol.MAX_FRAME_LENGTH >> 20,
            grown / 1048576.0, BOUND >> 20);
        assertTrue(grown < BOUND, "heap grew " + grown + " bytes");
        try (RemoteStorage client = RemoteStorage.connect("127.0.0.1", server.port())) {
          Tid tid = Commits.write(client, Oid.of(1), Tid.NONE, "still served");
          assertEquals(tid, storage.lastTransaction());
        }
      } finally {
        for (RawClient raw : idle) {
          raw.close();
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionCount() == 0);
      assertEquals(0, ServerProbe.framesInProgress(server));
    }
  }

  /** A frame header announcing {@code length} bytes and the first {@code sent} payload bytes. */
  private static byte[] announcing(int length, int sent) {
    byte[] bytes = new byte[4 + Protocol.HEADER_LENGTH + sent];
    bytes[0] = (byte) (length >>> 24);
    bytes[1] = (byte) (length >>> 16);
    bytes[2] = (byte) (length >>> 8);
    bytes[3] = (byte) length;
    bytes[11] = 1; // request id 1
    bytes[12] = (byte) Op.STAGE.code;
    return bytes;
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
