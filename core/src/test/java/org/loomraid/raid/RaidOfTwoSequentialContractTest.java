package org.loomraid.raid;

/** The storage contract against a RAID of 2 memory storage(s), SEQUENTIAL write mode. */
class RaidOfTwoSequentialContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 2;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.SEQUENTIAL;
  }
}
