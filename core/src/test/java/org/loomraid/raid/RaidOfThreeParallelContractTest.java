package org.loomraid.raid;

/** The storage contract against a RAID of 3 memory storage(s), PARALLEL write mode. */
class RaidOfThreeParallelContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 3;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.PARALLEL;
  }
}
