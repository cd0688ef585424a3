package org.loomraid.backends.remote.server;

import java.util.List;
import java.util.Optional;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.ErrorType;
import org.loomraid.backends.remote.wire.ScrubView;

/**
 * The server side of the administration operations. Results are plain names on the wire (see
 * {@code docs/protocol.md}, "RAID administration"), so clients need not share the server's enum
 * versions. A server given no RAID administration uses {@link #none(String)}, which refuses every
 * call with {@code NOT_A_RAID}.
 */
interface RaidAdministration {

  /** The RAID's status name ({@code OPTIMAL}, {@code DEGRADED}, ...). */
  String status();

  /** Every configured backend. */
  List<BackendView> backends();

  void disable(String backend);

  /** Starts recovering {@code backend} and returns its view right after. */
  BackendView recover(String backend);

  /** Adds a backend given by a spec string ({@code file:/dir} or {@code remote:host:port}). */
  void add(String backend, String spec);

  void remove(String backend);

  /** Starts a scrub and returns its view right after. */
  ScrubView scrub(boolean repair, boolean fromStart);

  /** The running scrub, or the last one. */
  Optional<ScrubView> lastScrub();

  /** Cancels the running scrub and returns its view right after; empty if none runs. */
  Optional<ScrubView> cancelScrub();

  /** Whether the operations are available (announced in the hello). */
  boolean available();

  /** The administration of a server that serves none: every call is refused. */
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
      public List<BackendView> backends() {
        throw refusal();
      }

      @Override
      public void disable(String backend) {
        throw refusal();
      }

      @Override
      public BackendView recover(String backend) {
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
      public ScrubView scrub(boolean repair, boolean fromStart) {
        throw refusal();
      }

      @Override
      public Optional<ScrubView> lastScrub() {
        throw refusal();
      }

      @Override
      public Optional<ScrubView> cancelScrub() {
        throw refusal();
      }

      @Override
      public boolean available() {
        return false;
      }
    };
  }
}
