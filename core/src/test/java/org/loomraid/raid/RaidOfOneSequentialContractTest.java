package org.loomraid.raid;

/** The storage contract against a RAID of 1 memory storage(s), SEQUENTIAL write mode. */
class RaidOfOneSequentialContractTest extends RaidContractTest {

  @Override
  int backendCount() {
    return 1;
  }

  @Override
  WriteMode writeMode() {
    return WriteMode.SEQUENTIAL;
  }
}
