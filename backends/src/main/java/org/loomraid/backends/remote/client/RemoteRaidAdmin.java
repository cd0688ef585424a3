package org.loomraid.backends.remote.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.wire.BackendView;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.ProtocolViolationException;

/**
 * The administration of a RAID served by a {@code StorageServer}, over the same connection as
 * its {@link RemoteStorage}: what {@code loomraid ctl} uses. States and statuses travel as their
 * names ({@code OPTIMAL}, {@code DEGRADED}, {@code RECOVERING}, ...), so this client works with
 * servers whose RAID knows more states than it does.
 *
 * <p>Every call is bounded by the storage's call timeout. If the server's storage is not a RAID,
 * every call fails with a {@link RemoteStorageException} whose remote type is
 * {@link RemoteStorageException#NOT_A_RAID}. Refusals of the RAID itself (an unknown backend, an
 * illegal transition) arrive as {@link IllegalArgumentException} or as a
 * {@link RemoteStorageException} naming the RAID's exception type.
 */
public final class RemoteRaidAdmin {

  /**
   * One backend as the RAID reports it.
   *
   * @param name the backend's name
   * @param state its state's name: {@code OPTIMAL}, {@code DEGRADED} or {@code RECOVERING}
   * @param reason why it is degraded, or {@code ""}
   * @param details further facts (last tid, lag, recovery progress, call counts, ...), in the
   *     server's order
   */
  public record Backend(String name, String state, String reason, Map<String, String> details) {

    /** Creates a backend view; copies the details. */
    public Backend {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(reason, "reason");
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
  }

  private final RemoteStorage storage;

  RemoteRaidAdmin(RemoteStorage storage) {
    this.storage = storage;
  }

  /** Returns the RAID's status name: {@code OPTIMAL}, {@code DEGRADED}, {@code RECOVERING}, ... */
  public String status() {
    return storage.call(Op.ADMIN_STATUS, out -> { }, true, PayloadReader::readString);
  }

  /** Returns every configured backend with its state. */
  public List<Backend> backends() {
    return storage.call(Op.ADMIN_BACKENDS, out -> { }, true, in -> {
      int count = in.readCount(16, "backends");
      List<Backend> backends = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        backends.add(readBackend(in));
      }
      return List.copyOf(backends);
    });
  }

  /** Takes a backend out of service ("disabled by operator"). */
  public void disable(String backend) {
    Objects.requireNonNull(backend, "backend");
    storage.call(Op.ADMIN_DISABLE, out -> out.writeString(backend), false, in -> null);
  }

  /**
   * Starts recovering a degraded backend and returns its state right after; poll
   * {@link #backends()} to follow the recovery.
   */
  public Backend recover(String backend) {
    Objects.requireNonNull(backend, "backend");
    return storage.call(Op.ADMIN_RECOVER, out -> out.writeString(backend), false,
        RemoteRaidAdmin::readBackend);
  }

  /**
   * Adds a backend, which enters DEGRADED ("added") until recovered.
   *
   * @param spec where it is, as the server understands it: {@code file:/dir} or
   *     {@code remote:host:port}
   */
  public void add(String backend, String spec) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(spec, "spec");
    storage.call(Op.ADMIN_ADD, out -> out.writeString(backend).writeString(spec), false,
        in -> null);
  }

  /** Removes a backend from the RAID's configuration. */
  public void remove(String backend) {
    Objects.requireNonNull(backend, "backend");
    storage.call(Op.ADMIN_REMOVE, out -> out.writeString(backend), false, in -> null);
  }

  private static Backend readBackend(PayloadReader in) throws ProtocolViolationException {
    BackendView view = BackendView.decode(in);
    return new Backend(view.name(), view.state(), view.reason(), view.details());
  }
}
