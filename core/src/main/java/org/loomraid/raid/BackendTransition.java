package org.loomraid.raid;

import java.util.Objects;

/**
 * One state change of one backend, as delivered to a {@link RaidListener} and logged.
 *
 * @param raid the RAID's name
 * @param name the backend's name
 * @param from the state before, or {@code null} when the backend enters the RAID (at startup, or
 *     through {@link RaidAdmin#add})
 * @param to the state after
 * @param reason why: for {@link BackendState#DEGRADED} the degradation reason, otherwise a short
 *     description such as {@code "opened"} or {@code "recovered"}; never null
 */
public record BackendTransition(
    String raid, String name, BackendState from, BackendState to, String reason) {

  /**
   * Creates a transition.
   *
   * @throws NullPointerException if an argument other than {@code from} is null
   */
  public BackendTransition {
    Objects.requireNonNull(raid, "raid");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
  }
}
