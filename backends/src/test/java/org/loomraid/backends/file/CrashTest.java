package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;

/**
 * A real crash: a child JVM commits in a loop and is killed with SIGKILL mid-run. Every commit it
 * acknowledged must be in the log, whole, and nothing may be half there.
 */
class CrashTest {

  private static final int ROUNDS = 2;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedCommitSurvivesSigkillWhole() throws Exception {
    Map<Long, Long> acknowledged = new TreeMap<>();
    List<String> otherOutput = new ArrayList<>();
    Random random = new Random();
    for (int round = 1; round <= ROUNDS; round++) {
      int target = 30 + random.nextInt(70);
      try (ChildJvm child = ChildJvm.start(CommitLoop.class, dir.toString())) {
        child.awaitLines("ACK ", target, Duration.ofSeconds(120));
        child.kill();
        for (String ack : child.linesStartingWith("ACK ")) {
          String[] parts = ack.split(" ");
          acknowledged.put(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }
        for (String line : child.lines()) {
          if (!line.startsWith("ACK ")) {
            otherOutput.add("round " + round + ": " + line);
          }
        }
        System.out.printf("crash round %d: killed after %d acknowledged commits%n",
            round, child.linesStartingWith("ACK ").size());
      }
      verify(acknowledged, round, otherOutput);
    }
  }

  private void verify(Map<Long, Long> acknowledged, int rounds, List<String> otherOutput) {
    try (FileStorage storage = FileStorage.open(dir)) {
      for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
        Oid oid = Oid.of(ack.getValue());
        assertArrayEquals(CommitLoop.payload(oid), storage.loadSerial(oid, Tid.of(ack.getKey())).data(),
            "acknowledged commit " + ack);
      }
      List<TransactionRecord> history = Fixtures.history(storage);
      for (TransactionRecord record : history) {
        assertWhole(record);
      }
      int extra = history.size() - acknowledged.size();
      List<Tid> unacknowledged = new ArrayList<>();
      for (TransactionRecord record : history) {
        if (!acknowledged.containsKey(record.tid().value())) {
          unacknowledged.add(record.tid());
        }
      }
      assertTrue(extra >= 0 && extra <= rounds,
          "at most one commit per crash may be in the log unacknowledged; found " + extra
              + " after " + rounds + " crashes: " + unacknowledged
              + "; the children's other output: " + otherOutput);
      long lastAcknowledged = ((TreeMap<Long, Long>) acknowledged).lastKey();
      assertTrue(storage.lastTransaction().value() >= lastAcknowledged);
      long highestOid = acknowledged.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      assertTrue(storage.newOid().value() > highestOid, "newOid must not repeat an acknowledged id");
    }
  }

  private static void assertWhole(TransactionRecord record) {
    assertEquals(2, record.records().size(), "transaction " + record.tid());
    DataRecord object = record.records().get(0);
    DataRecord root = record.records().get(1);
    assertArrayEquals(CommitLoop.payload(object.oid()), object.data(), "object of " + record.tid());
    assertEquals(Oid.ROOT, root.oid());
    assertEquals(object.oid().value(), ByteBuffer.wrap(root.data()).getLong(), "root of " + record.tid());
  }
}
