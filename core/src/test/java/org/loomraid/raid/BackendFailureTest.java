package org.loomraid.raid;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionIterator;
import org.loomraid.storage.TransactionMeta;
import org.loomraid.testing.FaultyStorage.Operation;

/**
 * For every write-path operation and read: one backend failing leaves the call successful and
 * only that backend DEGRADED, naming the operation; the last optimal backends failing too applies
 * the fail mode. With 2 and 3 backends, both write modes, both fail modes.
 */
class BackendFailureTest {

  /** An operation of the RAID, the backend operation that fails under it, and how to run it. */
  enum Op {
    BEGIN(Operation.BEGIN, "begin", true),
    STORE(Operation.STORE, "store", true),
    VOTE(Operation.VOTE, "vote", true),
    COMMIT(Operation.COMMIT, "commit", true),
    ABORT(Operation.ABORT, "abort", true),
    LOAD(Operation.LOAD, "load", false),
    LOAD_BEFORE(Operation.LOAD_BEFORE, "loadBefore", false),
    LOAD_SERIAL(Operation.LOAD_SERIAL, "loadSerial", false),
    TRANSACTIONS(Operation.TRANSACTIONS, "transactions", false),
    LAST_TRANSACTION(Operation.LAST_TRANSACTION, "lastTransaction", false),
    NEW_OID(Operation.NEW_OID, "newOid", false);

    final Operation fault;
    final String name;
    final boolean transactional;

    Op(Operation fault, String name, boolean transactional) {
      this.fault = fault;
      this.name = name;
      this.transactional = transactional;
    }
  }

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Op op : Op.values()) {
      for (int count : new int[] {2, 3}) {
        for (WriteMode mode : WriteMode.values()) {
          for (FailMode failMode : FailMode.values()) {
            cases.add(Arguments.of(op, count, mode, failMode));
          }
        }
      }
    }
    return cases;
  }

  private final AtomicLong nextOid = new AtomicLong(100);

  @ParameterizedTest(name = "{0}, {1} backends, {2}, {3}")
  @MethodSource("cases")
  void oneFailingBackendIsDegradedAndTheLastOneFailingAppliesTheFailMode(
      Op op, int count, WriteMode mode, FailMode failMode) {
    try (Fixture f = Fixture.of(count)) {
      f.builder.writeMode(mode).failMode(failMode).readPolicy(ReadPolicy.ROUND_ROBIN);
      RaidStorage raid = f.open();
      Tid first = Fixture.commit(raid, Oid.of(1), Tid.NONE, "v1");

      f.faulty(0).on(op.fault).failAlways();
      Tid last = first;
      for (int i = 0; i < count; i++) {
        Tid result = run(op, raid, first);
        if (result != null) {
          last = result;
        }
      }

      assertTrue(f.faulty(0).calls(op.fault) > 0, "the fault was reached");
      BackendInfo failed = f.info(0);
      assertEquals(BackendState.DEGRADED, failed.state());
      assertTrue(failed.reason().contains(" in " + op.name), failed.reason());
      assertTrue(failed.reason().contains("InjectedFaultException"), failed.reason());
      for (int i = 1; i < count; i++) {
        assertEquals(BackendState.OPTIMAL, f.info(i).state(), "backend " + i);
        assertEquals("", f.info(i).reason());
        assertEquals(last, f.memory(i).lastTransaction(), "backend " + i + " has every commit");
      }
      assertEquals(RaidStatus.DEGRADED, raid.status());

      for (int i = 1; i < count; i++) {
        f.faulty(i).on(op.fault).failAlways();
      }
      if (op == Op.ABORT) {
        assertDoesNotThrow(() -> run(op, raid, first), "an abort has nothing to report");
      } else {
        assertThrows(expectedRefusal(op, failMode), () -> run(op, raid, first));
      }
      for (BackendInfo info : raid.backends()) {
        assertEquals(BackendState.DEGRADED, info.state(), info.name());
      }
      if (failMode == FailMode.CLOSE) {
        assertEquals(RaidStatus.CLOSED, raid.status());
        assertThrows(RaidClosedException.class, () -> raid.begin(TransactionMeta.EMPTY));
        assertThrows(RaidClosedException.class, () -> raid.load(Oid.of(1)));
      } else {
        assertEquals(RaidStatus.FAILED, raid.status());
        assertThrows(RaidReadOnlyException.class, () -> raid.begin(TransactionMeta.EMPTY));
      }
    }
  }

  private static Class<? extends RuntimeException> expectedRefusal(Op op, FailMode failMode) {
    if (failMode == FailMode.CLOSE) {
      return RaidClosedException.class;
    }
    return op.transactional ? RaidReadOnlyException.class : RaidException.class;
  }

  /** Runs the operation on the RAID; returns the tid of a commit it made, or null. */
  private Tid run(Op op, RaidStorage raid, Tid first) {
    Oid oid = Oid.of(1);
    switch (op) {
      case BEGIN, STORE, VOTE, COMMIT -> {
        return Fixture.commit(raid, Oid.of(nextOid.incrementAndGet()), Tid.NONE, "new");
      }
      case ABORT -> {
        try (StorageTransaction tx = raid.begin(TransactionMeta.EMPTY)) {
          tx.store(Oid.of(nextOid.incrementAndGet()), Tid.NONE, Fixture.bytes("aborted"));
          tx.vote();
          tx.abort();
        }
      }
      case LOAD -> assertEquals("v1", Fixture.text(raid.load(oid).data()));
      case LOAD_BEFORE -> assertEquals(first, raid.loadBefore(oid, first.next()).orElseThrow()
          .serial());
      case LOAD_SERIAL -> assertEquals("v1", Fixture.text(raid.loadSerial(oid, first).data()));
      case TRANSACTIONS -> {
        try (TransactionIterator it = raid.transactions(Tid.NONE)) {
          assertEquals(first, it.next().tid());
        }
      }
      case LAST_TRANSACTION -> assertTrue(!raid.lastTransaction().isBefore(first));
      case NEW_OID -> assertTrue(raid.newOid().value() > 0);
    }
    return null;
  }
}
