package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.storage.TransactionRecord;
import org.loomraid.testing.FaultyStorage;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * The RAID's failure matrix: every fault kind on every operation, with 2 and 3 backends, in every
 * write mode (the parallel one runs on both fan-out paths, one per test execution). The last
 * configured backend is the faulty one. Whatever the fault, the call succeeds on the others within
 * one deadline, the faulty backend alone leaves service with a reason, the RAID still writes, and
 * (checked by the fixture after every test) every OPTIMAL backend holds the identical history.
 */
class FailureMatrixTest {

  private static final Duration DEADLINE = Duration.ofMillis(150);
  private static final Duration MARGIN = Duration.ofMillis(900);

  /** How the faulty backend misbehaves. */
  enum Fault {
    THROW, IO_ERROR, HANG, HANG_IGNORING_INTERRUPTS, WRONG_RESULT;

    void inject(FaultyStorage.Fault fault) {
      switch (this) {
        case THROW -> fault.failAlways();
        case IO_ERROR -> fault.failAlways(() -> new UncheckedIOException(
            new IOException("injected I/O error")));
        case HANG -> fault.hang();
        case HANG_IGNORING_INTERRUPTS -> fault.hangIgnoringInterrupts();
        case WRONG_RESULT -> fault.wrongResult();
      }
    }
  }

  /** Operations whose wrong result the RAID can see: it compares them across backends. */
  private static final Set<Operation> COMPARED =
      EnumSet.of(Operation.LAST_TRANSACTION, Operation.NEW_OID, Operation.COMMIT);

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Operation operation : Operation.values()) {
      if (operation == Operation.CLOSE) {
        continue;
      }
      for (Fault fault : Fault.values()) {
        if (fault == Fault.WRONG_RESULT && !COMPARED.contains(operation)) {
          continue;
        }
        for (int backends = 2; backends <= 3; backends++) {
          for (WriteMode mode : WriteMode.values()) {
            cases.add(Arguments.of(operation, fault, backends, mode));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{1} in {0}, {2} backends, {3}")
  @MethodSource("matrix")
  void onlyTheFaultyBackendLeavesAndTheCallSucceedsOnTheOthers(Operation operation, Fault fault,
      int backends, WriteMode mode) {
    try (Fixture f = Fixture.of(backends)) {
      f.builder.callTimeout(DEADLINE).packTimeout(DEADLINE).writeMode(mode)
          .readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      List<Tid> tids = RecoveryTest.commitMany(raid, 5, 1);
      int faulty = backends - 1;
      fault.inject(f.faulty(faulty).on(operation));

      long start = System.nanoTime();
      exercise(raid, operation, tids, backends);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      for (FaultyStorage storage : f.faulty) {
        storage.clearAll();
      }
      BackendInfo info = f.info(faulty);
      assertEquals(BackendState.DEGRADED, info.state(), "the fault went unnoticed: " + info);
      assertFalse(info.reason().isBlank());
      for (int i = 0; i < faulty; i++) {
        assertEquals(BackendState.OPTIMAL, f.info(i).state(), f.info(i).toString());
      }
      assertTrue(took.compareTo(DEADLINE.plus(MARGIN)) < 0,
          "the fault cost more than one deadline: " + took);
      Tid after = Fixture.commit(raid, Oid.of(77), Tid.NONE, "after the fault");
      assertEquals(after, raid.lastTransaction());
      assertEquals(RaidStatus.DEGRADED, raid.status());
    }
  }

  /** Makes the RAID call that reaches {@code operation} on every backend (reads: each in turn). */
  private static void exercise(RaidStorage raid, Operation operation, List<Tid> tids,
      int backends) {
    Tid last = tids.getLast();
    switch (operation) {
      case BEGIN, STORE, VOTE, COMMIT -> Fixture.commit(raid, Oid.of(50), Tid.NONE, "written");
      case ABORT -> {
        StorageTransaction tx = raid.begin(TransactionMeta.of("t", "aborted"));
        tx.store(Oid.of(50), Tid.NONE, Fixture.bytes("never"));
        tx.vote();
        tx.abort();
      }
      case RESTORE -> raid.restore(new TransactionRecord(Tid.of(last.value() + 5),
          TransactionMeta.of("t", "restored"),
          List.of(new DataRecord(Oid.of(60), Fixture.bytes("restored")))));
      case PACK -> raid.pack(tids.get(2));
      case LAST_TRANSACTION -> assertEquals(last, raid.lastTransaction());
      case NEW_OID -> raid.newOid();
      case RESERVE_OIDS -> raid.reserveOids(Oid.of(5000));
      case LOAD, LOAD_BEFORE, LOAD_SERIAL, STATS, TRANSACTIONS, ITERATE -> {
        for (int i = 0; i < backends; i++) {
          read(raid, operation, tids);
        }
      }
      case CLOSE -> throw new IllegalArgumentException("not part of the matrix");
    }
  }

  private static void read(RaidStorage raid, Operation operation, List<Tid> tids) {
    Oid oid = Oid.of(1);
    switch (operation) {
      case LOAD -> assertEquals(tids.getLast(), raid.load(oid).serial());
      case LOAD_BEFORE -> assertEquals(tids.get(3), raid.loadBefore(oid, tids.get(4))
          .orElseThrow().serial());
      case LOAD_SERIAL -> assertEquals("first 2",
          Fixture.text(raid.loadSerial(oid, tids.get(2)).data()));
      case STATS -> assertEquals(5, raid.stats().transactions());
      default -> {
        List<Tid> seen = new ArrayList<>();
        try (TransactionIterator it = raid.transactions(Tid.NONE)) {
          it.forEachRemaining(record -> seen.add(record.tid()));
        }
        assertEquals(tids, seen);
      }
    }
  }
}
