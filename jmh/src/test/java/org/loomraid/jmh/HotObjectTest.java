package org.loomraid.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loomraid.storage.Revision;
import org.loomraid.storage.StorageStats;
import org.loomraid.storage.Tid;

/** The subject of the history benchmarks: a hot object with a history, then ordinary commits. */
class HotObjectTest {

  @ParameterizedTest
  @EnumSource(HistoryStorage.class)
  void theHistoryIsWrittenAndCommitsGoOnTopOfIt(HistoryStorage kind) {
    try (HotObject hot = new HotObject(kind, 300)) {
      assertEquals(new StorageStats(1, 300, 300L * HotObject.DATA_BYTES), hot.storage().stats());
      assertEquals(Tid.of(300), hot.storage().lastTransaction());
      Tid first = hot.commit();
      Tid second = hot.commit();
      assertTrue(second.isAfter(first) && first.isAfter(Tid.of(300)));
      assertEquals(2, hot.commits());
      assertEquals(second, hot.storage().load(hot.oid()).serial());
      for (Tid serial : hot.sample()) {
        Revision revision = hot.storage().loadSerial(hot.oid(), serial);
        assertEquals(HotObject.DATA_BYTES, revision.length());
      }
      assertTrue(hot.sample().size() >= 60, "samples spread over the history: " + hot.sample().size());
    }
  }
}
