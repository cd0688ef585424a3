package org.loomraid.backends.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loomraid.backends.file.Fixtures.assertSameHistory;
import static org.loomraid.backends.file.Fixtures.deleteDirectory;
import static org.loomraid.backends.file.Fixtures.directoryWithLog;
import static org.loomraid.backends.file.Fixtures.history;
import static org.loomraid.backends.file.Fixtures.logOf;
import static org.loomraid.backends.file.Fixtures.openFast;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomraid.storage.TransactionRecord;

/**
 * Damage a crash cannot explain is refused with the byte offset; damage in the last unit is what a
 * torn write looks like, and is cut off.
 */
class CorruptionTest {

  @TempDir Path dir;

  private byte[] log;
  private final List<Long> unitStarts = new ArrayList<>();
  private List<TransactionRecord> all;

  @BeforeEach
  void commitFiveTransactions() throws IOException {
    Path source = Files.createDirectories(dir.resolve("source"));
    try (FileStorage storage = FileStorage.open(source)) {
      for (int i = 0; i < 5; i++) {
        unitStarts.add(Files.size(logOf(source)));
        Fixtures.commitSmall(storage, 1);
      }
      all = history(storage);
    }
    log = Files.readAllBytes(logOf(source));
  }

  @Test
  void everyFlippedByteInAnEarlierTransactionIsRefusedWithItsOffset() throws IOException {
    long start = unitStarts.get(1);
    long end = unitStarts.get(2);
    for (long at = start; at < end; at++) {
      Path copy = flipped("flip-" + at, at);
      CorruptLogException e =
          assertThrows(CorruptLogException.class, () -> FileStorage.open(copy), "flip at " + at);
      assertEquals(start, e.offset(), "flip at " + at + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("byte offset " + start), e.getMessage());
      assertTrue(e.getMessage().contains(logOf(copy).toString()), e.getMessage());
      assertTrue(e.getMessage().contains("not a torn write"), e.getMessage());
      assertEquals(log.length, Files.size(logOf(copy)), "nothing is truncated");
      deleteDirectory(copy);
    }
  }

  @Test
  void everyFlippedByteInTheLastTransactionIsTreatedAsATornWrite() throws IOException {
    long start = unitStarts.get(4);
    QuietLog quiet = QuietLog.of(LogLoader.class);
    try {
      for (long at = start; at < log.length; at++) {
        Path copy = flipped("flip-last-" + at, at);
        try (FileStorage storage = openFast(copy)) {
          assertSameHistory(all.subList(0, 4), history(storage));
        }
        assertEquals(start, Files.size(logOf(copy)), "flip at " + at);
        deleteDirectory(copy);
      }
    } finally {
      quiet.close();
    }
  }

  @Test
  void everyFlippedByteOfTheFileHeaderIsRefusedAtOffsetZero() throws IOException {
    for (long at = 0; at < LogFormat.FILE_HEADER_LENGTH; at++) {
      Path copy = flipped("flip-header-" + at, at);
      LogFormatException e = assertThrows(LogFormatException.class, () -> FileStorage.open(copy));
      assertEquals(0, e.offset(), e.getMessage());
      deleteDirectory(copy);
    }
  }

  @Test
  void aLengthFieldPointingPastTheEndInAnEarlierUnitIsNotMistakenForATornTail() throws IOException {
    long start = unitStarts.get(2);
    byte[] damaged = log.clone();
    ByteBuffer.wrap(damaged).putInt((int) start + LogFormat.UNIT_LENGTH_OFFSET, 1 << 30);
    Path copy = directoryWithLog(dir, "long-length", damaged, damaged.length);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> FileStorage.open(copy));
    assertEquals(start, e.offset());
    assertTrue(e.getMessage().contains("a valid unit follows at byte offset " + unitStarts.get(3)),
        e.getMessage());
  }

  @Test
  void garbageAfterTheLastCompleteUnitThatHidesAValidUnitIsRefused() throws IOException {
    byte[] spliced = new byte[log.length + 7];
    System.arraycopy(log, 0, spliced, 0, unitStarts.get(4).intValue());
    System.arraycopy(log, unitStarts.get(4).intValue(), spliced,
        unitStarts.get(4).intValue() + 7, log.length - unitStarts.get(4).intValue());
    Path copy = directoryWithLog(dir, "spliced", spliced, spliced.length);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> FileStorage.open(copy));
    assertEquals((long) unitStarts.get(4), e.offset());
  }

  @Test
  void aValidUnitWithAnOutOfOrderTidIsRefused() throws IOException {
    byte[] swapped = new byte[log.length];
    int second = unitStarts.get(1).intValue();
    int third = unitStarts.get(2).intValue();
    int fourth = unitStarts.get(3).intValue();
    System.arraycopy(log, 0, swapped, 0, second);
    System.arraycopy(log, third, swapped, second, fourth - third);
    System.arraycopy(log, second, swapped, second + fourth - third, third - second);
    System.arraycopy(log, fourth, swapped, fourth, log.length - fourth);
    Path copy = directoryWithLog(dir, "reordered", swapped, swapped.length);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> FileStorage.open(copy));
    assertEquals(second + fourth - third, e.offset());
    assertTrue(e.getMessage().contains("is not after the previous transaction"), e.getMessage());
  }

  private Path flipped(String name, long at) throws IOException {
    byte[] damaged = log.clone();
    damaged[(int) at] ^= (byte) 0x5A;
    return directoryWithLog(dir, name, damaged, damaged.length);
  }
}
