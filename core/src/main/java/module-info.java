/**
 * loomraid core: the storage API, {@code MemoryStorage}, the RAID engine and test aids.
 */
module org.loomraid.core {
  requires org.slf4j;
  requires java.management;

  exports org.loomraid.storage;
  exports org.loomraid.raid;
  exports org.loomraid.testing;
}
