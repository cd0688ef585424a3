package org.loomraid.raid;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;

/**
 * A RAID over fault-injecting memory backends, for one test. Each backend is a
 * {@link FaultyStorage} over a {@link SurvivingStorage} over a {@link MemoryStorage}, so a test can
 * still read a backend the RAID degraded and closed; with {@link #freshInstances()} every open
 * returns a new {@link InstanceView} over that, as a real opener would. Closing the fixture first
 * checks the invariant of every RAID test (every OPTIMAL backend holds the identical history: tid,
 * meta and data), then clears every fault, releases every hang (so no thread outlives the test),
 * closes the RAID and the memory storages.
 */
final class Fixture implements AutoCloseable {

  /** A short deadline, so that hang tests stay quick. */
  static final Duration SHORT = Duration.ofMillis(300);

  final List<MemoryStorage> memory = new ArrayList<>();
  final List<SurvivingStorage> surviving = new ArrayList<>();
  final List<FaultyStorage> faulty = new ArrayList<>();
  final List<List<InstanceView>> instances = new ArrayList<>();
  private final List<AtomicReference<UnaryOperator<Storage>>> nextOpen = new ArrayList<>();
  final RaidStorage.Builder builder;
  RaidStorage raid;
  private boolean fresh;
  private boolean checkHistories = true;

  private Fixture(String raidName, String... backends) {
    builder = RaidStorage.builder(raidName);
    for (String name : backends) {
      MemoryStorage storage = MemoryStorage.create(name);
      SurvivingStorage view = new SurvivingStorage(storage);
      FaultyStorage wrapped = FaultyStorage.wrap(view);
      memory.add(storage);
      surviving.add(view);
      faulty.add(wrapped);
      List<InstanceView> opened = new CopyOnWriteArrayList<>();
      instances.add(opened);
      AtomicReference<UnaryOperator<Storage>> decoration = new AtomicReference<>();
      nextOpen.add(decoration);
      builder.backend(name, () -> {
        Storage instance = wrapped;
        if (fresh) {
          InstanceView created = new InstanceView(wrapped);
          opened.add(created);
          instance = created;
        }
        UnaryOperator<Storage> decorate = decoration.getAndSet(null);
        return decorate == null ? instance : decorate.apply(instance);
      });
    }
  }

  /** A fixture with backends named a, b, c, ... ({@code count} of them), not yet open. */
  static Fixture of(int count) {
    String[] names = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = String.valueOf((char) ('a' + i));
    }
    return new Fixture("r", names);
  }

  /** Makes every open of a backend return a fresh instance (an {@link InstanceView}). */
  Fixture freshInstances() {
    fresh = true;
    return this;
  }

  /**
   * Makes the next open of backend {@code i} (only that one) return {@code decoration} applied to
   * what it would return: an instance with faults of its own, which a reopen leaves behind.
   */
  Fixture onNextOpen(int i, UnaryOperator<Storage> decoration) {
    nextOpen.get(i).set(decoration);
    return this;
  }

  /** Skips the history check at close, for a test that leaves backends apart on purpose. */
  void skipHistoryCheck() {
    checkHistories = false;
  }

  /** Opens the RAID with the builder as configured. */
  RaidStorage open() {
    raid = builder.open();
    return raid;
  }

  FaultyStorage faulty(int i) {
    return faulty.get(i);
  }

  MemoryStorage memory(int i) {
    return memory.get(i);
  }

  BackendInfo info(int i) {
    return raid.backends().get(i);
  }

  @Override
  public void close() {
    try {
      if (checkHistories && raid != null) {
        assertOptimalHistoriesIdentical();
      }
    } finally {
      release();
    }
  }

  /**
   * Asserts that every OPTIMAL backend holds the identical history (tid, meta and data), naming the
   * first backend and transaction that differ.
   */
  void assertOptimalHistoriesIdentical() {
    List<BackendInfo> infos = raid.backends();
    List<TransactionRecord> reference = null;
    String referenceName = null;
    for (int i = 0; i < infos.size() && i < memory.size(); i++) {
      if (infos.get(i).state() != BackendState.OPTIMAL) {
        continue;
      }
      List<TransactionRecord> history = RecoveryTest.history(memory.get(i));
      if (reference == null) {
        reference = history;
        referenceName = infos.get(i).name();
        continue;
      }
      if (!reference.equals(history)) {
        int at = 0;
        while (at < Math.min(reference.size(), history.size())
            && reference.get(at).equals(history.get(at))) {
          at++;
        }
        throw new AssertionError("OPTIMAL backends '" + referenceName + "' and '"
            + infos.get(i).name() + "' hold different histories (" + reference.size() + " and "
            + history.size() + " transactions), first difference at transaction " + at);
      }
    }
  }

  private void release() {
    for (FaultyStorage storage : faulty) {
      storage.clearAll();
      storage.releaseHangs();
    }
    if (raid != null) {
      raid.close();
    }
    for (MemoryStorage storage : memory) {
      storage.close();
    }
  }

  /**
   * Wipes backend {@code i}'s data, as an operator deletes a diverged backend's files before
   * recovering it: from now on it forwards to a new, empty memory storage.
   */
  void wipe(int i) {
    MemoryStorage fresh = MemoryStorage.create(memory.get(i).name());
    memory.get(i).close();
    memory.set(i, fresh);
    surviving.get(i).delegateTo(fresh);
  }

  /** Returns how many times the RAID closed backend {@code i}. */
  int closes(int i) {
    return surviving.get(i).closes();
  }

  static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  static String text(byte[] data) {
    return new String(data, UTF_8);
  }

  /** Commits one store through the full two-phase protocol and returns the tid. */
  static Tid commit(Storage storage, Oid oid, Tid expected, String data) {
    try (StorageTransaction tx = storage.begin(TransactionMeta.of("test", data))) {
      tx.store(oid, expected, bytes(data));
      tx.vote();
      return tx.commit();
    }
  }
}
