package org.loomraid.backends.remote;

/**
 * The server side of the administration operations: encodes results into the response. A server
 * whose storage is not a RAID uses {@link #none(String)}, which refuses every call.
 */
interface RaidAdministration {

  void status(FrameEncoder out);

  void backends(FrameEncoder out);

  void disable(String backend);

  void recover(String backend, boolean await, FrameEncoder out);

  void add(String backend, String spec);

  void remove(String backend);

  /** Whether the operations are available (announced in the hello). */
  boolean available();

  /** The administration of a storage that is not a RAID: every call is refused. */
  static RaidAdministration none(String storageName) {
    return new RaidAdministration() {
      private Refusal refusal() {
        return new Refusal(ErrorType.NOT_A_RAID, "storage '" + storageName + "' is not a RAID");
      }

      @Override
      public void status(FrameEncoder out) {
        throw refusal();
      }

      @Override
      public void backends(FrameEncoder out) {
        throw refusal();
      }

      @Override
      public void disable(String backend) {
        throw refusal();
      }

      @Override
      public void recover(String backend, boolean await, FrameEncoder out) {
        throw refusal();
      }

      @Override
      public void add(String backend, String spec) {
        throw refusal();
      }

      @Override
      public void remove(String backend) {
        throw refusal();
      }

      @Override
      public boolean available() {
        return false;
      }
    };
  }
}
