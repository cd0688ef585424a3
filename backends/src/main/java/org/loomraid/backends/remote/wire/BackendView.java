package org.loomraid.backends.remote.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One backend of a served RAID as the administration operations carry it: names and strings only,
 * so that a client works with a server whose RAID knows more states than it does.
 *
 * @param name the backend's name
 * @param state its state's name
 * @param reason why it is degraded, or {@code ""}
 * @param details further facts in the server's order
 */
public record BackendView(String name, String state, String reason, Map<String, String> details) {

  /** Creates a view; copies the details. */
  public BackendView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** Writes name, state, reason, the detail count and each detail's key and value. */
  public void encode(FrameEncoder out) {
    out.writeString(name).writeString(state).writeString(reason);
    out.writeInt(details.size());
    details.forEach((key, value) -> out.writeString(key).writeString(value));
  }

  /** Reads a view written by {@link #encode}. */
  public static BackendView decode(PayloadReader in) throws ProtocolViolationException {
    String name = in.readString();
    String state = in.readString();
    String reason = in.readString();
    int count = in.readCount(8, "details");
    Map<String, String> details = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      details.put(in.readString(), in.readString());
    }
    return new BackendView(name, state, reason, details);
  }
}
