/**
 * loomraid core: the storage API, {@code MemoryStorage}, the RAID engine and test aids.
 *
 * <p>It reads {@code jdk.jfr} for the RAID's flight recorder events, which cost nothing while no
 * recording asks for them.
 */
module org.loomraid.core {
  requires org.slf4j;
  requires java.management;
  requires jdk.jfr;

  exports org.loomraid.storage;
  exports org.loomraid.raid;
  exports org.loomraid.testing;
}
