package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.assertSameHistory;
import static org.loomraid.backends.file.Fixtures.deleteDirectory;
import static org.loomraid.backends.file.Fixtures.bytes;
import static org.loomraid.backends.file.Fixtures.commit;
import static org.loomraid.backends.file.Fixtures.directoryWithLog;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;
import static org.loomraid.backends.file.Fixtures.openFast;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionRecord;
import org.slf4j.LoggerFactory;

/**
 * A crash during an append leaves a prefix of the last unit (or a full-length unit whose bytes did
 * not all reach the device): open must cut exactly that unit off and keep everything before it.
 */
class TornTailTest {

  private static final int EARLIER = 4;

  @TempDir Path dir;

  private byte[] log;
  private long lastUnitStart;
  private List<TransactionRecord> earlier;
  private Tid lastEarlierTid;

  @BeforeEach
  void commitSeveralTransactions() throws IOException {
    Path source = Files.createDirectories(dir.resolve("source"));
    try (FileStorage storage = FileStorage.open(source)) {
      lastEarlierTid = Fixtures.commitSmall(storage, EARLIER).get(EARLIER - 1);
      earlier = history(storage);
      lastUnitStart = Files.size(logOf(source));
      Fixtures.commitSmall(storage, 1);
    }
    log = Files.readAllBytes(logOf(source));
  }

  @Test
  void everyTruncationInsideTheLastTransactionRecoversExactlyTheEarlierOnes() throws IOException {
    long started = System.nanoTime();
    int cuts = 0;
    QuietLog quiet = QuietLog.of(LogLoader.class);
    try {
      for (int cut = (int) lastUnitStart; cut < log.length; cut++) {
        Path copy = directoryWithLog(dir, "cut-" + cut, log, cut);
        assertRecoversEarlierTransactions(copy, "log cut at " + cut);
        deleteDirectory(copy);
        cuts++;
      }
    } finally {
      quiet.close();
    }
    System.out.printf("torn-write sweep: %d truncation points in a %d-byte unit, %d ms%n",
        cuts, log.length - lastUnitStart, (System.nanoTime() - started) / 1_000_000);
    assertEquals(log.length - lastUnitStart, cuts);
  }

  @Test
  void theCompleteLogKeepsEveryTransaction() throws IOException {
    Path copy = directoryWithLog(dir, "whole", log, log.length);
    try (FileStorage storage = openFast(copy)) {
      assertEquals(EARLIER + 1, history(storage).size());
    }
    assertEquals(log.length, Files.size(logOf(copy)));
  }

  @Test
  void aFullLengthLastUnitThatNeverReachedTheDeviceIsTorn() throws IOException {
    Path copy = directoryWithLog(dir, "zeros", log, log.length);
    byte[] zeroed = log.clone();
    Arrays.fill(zeroed, (int) lastUnitStart, zeroed.length, (byte) 0);
    Files.write(logOf(copy), zeroed);
    QuietLog quiet = QuietLog.of(LogLoader.class);
    try {
      assertRecoversEarlierTransactions(copy, "zero-filled last unit");
    } finally {
      quiet.close();
    }
  }

  @Test
  void aTornOidReservationIsCutOffAndItsIdsWereNeverHandedOut() throws IOException {
    Path source = Files.createDirectories(dir.resolve("reserving"));
    long before;
    try (FileStorage storage = FileStorage.open(source)) {
      commit(storage, Oid.of(1), "a");
      before = Files.size(logOf(source));
      storage.newOid();
    }
    byte[] content = Files.readAllBytes(logOf(source));
    assertEquals(before + LogFormat.RESERVATION_UNIT_LENGTH, content.length);
    QuietLog quiet = QuietLog.of(LogLoader.class);
    try {
      for (int cut = (int) before; cut < content.length; cut++) {
        Path copy = directoryWithLog(dir, "reservation-cut-" + cut, content, cut);
        try (FileStorage storage = openFast(copy)) {
          assertEquals(Oid.of(1 + 1), storage.newOid(), "cut at " + cut);
          assertArrayEquals(bytes("a"), storage.load(Oid.of(1)).data());
        }
        deleteDirectory(copy);
      }
    } finally {
      quiet.close();
    }
  }

  @Test
  void theTruncationIsLoggedAtWarnWithTheOffset() throws IOException {
    Logger logger = (Logger) LoggerFactory.getLogger(LogLoader.class);
    logger.setLevel(Level.WARN);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      Path copy = directoryWithLog(dir, "logged", log, log.length - 3);
      try (FileStorage storage = openFast(copy)) {
        assertEquals(EARLIER, history(storage).size());
      }
      List<ILoggingEvent> warnings =
          appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
      assertEquals(1, warnings.size(), appender.list.toString());
      String message = warnings.get(0).getFormattedMessage();
      assertTrue(message.contains("torn unit at byte offset " + lastUnitStart), message);
      assertTrue(message.contains("truncated"), message);
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(null);
    }
  }

  @Test
  void aReadOnlyOpenIgnoresATornTailWithoutTruncatingIt() throws IOException {
    Path copy = directoryWithLog(dir, "read-only", log, log.length - 1);
    try (FileStorage storage = FileStorage.builder(copy).readOnly(true).open()) {
      assertSameHistory(earlier, history(storage));
    }
    assertEquals(log.length - 1, Files.size(logOf(copy)));
  }

  private void assertRecoversEarlierTransactions(Path copy, String what) throws IOException {
    try (FileStorage storage = openFast(copy)) {
      assertSameHistory(earlier, history(storage));
      assertEquals(lastEarlierTid, storage.lastTransaction(), what);
      assertEquals(lastUnitStart, Files.size(logOf(copy)), what + ": truncated to the last complete unit");
      Tid next = commit(storage, Oid.of(99), "after recovery");
      assertTrue(next.isAfter(lastEarlierTid), what);
      assertArrayEquals(bytes("after recovery"), storage.load(Oid.of(99)).data(), what);
    }
    byte[] after = Files.readAllBytes(logOf(copy));
    assertArrayEquals(Arrays.copyOf(log, (int) lastUnitStart), Arrays.copyOf(after, (int) lastUnitStart),
        what + ": the earlier units are untouched");
    try (FileStorage storage = openFast(copy)) {
      assertEquals(EARLIER + 1, history(storage).size(), what + ": the new commit is durable");
    }
  }
}
