package org.loomraid.raid;

/**
 * The storage contract against a RAID of 3 memory storages behind zero-latency wrappers, PARALLEL
 * write mode: every read and transaction phase on threads of their own, as with backends that do
 * I/O.
 */
class RaidOfThreeWrappedParallelContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 3;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.PARALLEL;
  }

  @Override
  boolean wrapped() {
    return true;
  }
}
