package org.loomraid.raid;

/** The storage contract against a RAID of 3 memory storage(s), SEQUENTIAL write mode. */
class RaidOfThreeSequentialContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 3;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.SEQUENTIAL;
  }
}
