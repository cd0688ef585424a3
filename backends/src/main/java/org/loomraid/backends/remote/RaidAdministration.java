package org.loomraid.backends.remote;

import java.util.List;

/**
 * The server side of the administration operations, for a served RAID. Results are plain
 * strings on the wire (see {@code docs/protocol.md}, "RAID administration"), so clients need not
 * share the server's enum versions. A server whose storage is not a RAID uses
 * {@link #none(String)}, which refuses every call with {@code NOT_A_RAID}.
 */
interface RaidAdministration {

  /** The RAID's status name ({@code OPTIMAL}, {@code DEGRADED}, ...). */
  String status();

  /** Every configured backend. */
  List<RemoteRaidAdmin.Backend> backends();

  void disable(String backend);

  /** Starts recovering {@code backend} and returns its view right after. */
  RemoteRaidAdmin.Backend recover(String backend);

  /** Adds a backend given by a spec string ({@code file:/dir} or {@code remote:host:port}). */
  void add(String backend, String spec);

  void remove(String backend);

  /** Whether the operations are available (announced in the hello). */
  boolean available();

  /** Encodes a backend: name, state, reason ({@code ""} if none), detail count, details. */
  static void encode(FrameEncoder out, RemoteRaidAdmin.Backend backend) {
    out.writeString(backend.name()).writeString(backend.state()).writeString(backend.reason());
    out.writeInt(backend.details().size());
    backend.details().forEach((key, value) -> out.writeString(key).writeString(value));
  }

  /** The administration of a storage that is not a RAID: every call is refused. */
  static RaidAdministration none(String storageName) {
    return new RaidAdministration() {
      private Refusal refusal() {
        return new Refusal(ErrorType.NOT_A_RAID, "storage '" + storageName + "' is not a RAID");
      }

      @Override
      public String status() {
        throw refusal();
      }

      @Override
      public List<RemoteRaidAdmin.Backend> backends() {
        throw refusal();
      }

      @Override
      public void disable(String backend) {
        throw refusal();
      }

      @Override
      public RemoteRaidAdmin.Backend recover(String backend) {
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
