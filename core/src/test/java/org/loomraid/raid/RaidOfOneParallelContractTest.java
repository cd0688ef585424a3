package org.loomraid.raid;

/** The storage contract against a RAID of 1 memory storage(s), PARALLEL write mode. */
class RaidOfOneParallelContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 1;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.PARALLEL;
  }
}
