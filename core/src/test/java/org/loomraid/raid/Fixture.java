package org.loomraid.raid;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.loomraid.storage.MemoryStorage;
import org.loomraid.storage.Oid;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage;

/**
 * A RAID over fault-injecting memory backends, for one test. Each backend is a
 * {@link FaultyStorage} over a {@link SurvivingStorage} over a {@link MemoryStorage}, so a test can
 * still read a backend the RAID degraded and closed. Closing the fixture clears every fault,
 * releases every hang (so no thread outlives the test), closes the RAID and the memory storages.
 */
final class Fixture implements AutoCloseable {

  /** A short deadline, so that hang tests stay quick. */
  static final Duration SHORT = Duration.ofMillis(300);

  final List<MemoryStorage> memory = new ArrayList<>();
  final List<SurvivingStorage> surviving = new ArrayList<>();
  final List<FaultyStorage> faulty = new ArrayList<>();
  final RaidStorage.Builder builder;
  RaidStorage raid;

  private Fixture(String raidName, String... backends) {
    builder = RaidStorage.builder(raidName);
    for (String name : backends) {
      MemoryStorage storage = MemoryStorage.create(name);
      SurvivingStorage view = new SurvivingStorage(storage);
      FaultyStorage wrapped = FaultyStorage.wrap(view);
      memory.add(storage);
      surviving.add(view);
      faulty.add(wrapped);
      builder.backend(name, () -> wrapped);
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
