package org.loomraid.backends.remote.client;

import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.loomraid.backends.remote.wire.SharedSecret;

/** Where and how a {@link RemoteStorage} connects; {@code tls} and {@code secret} may be null. */
record ConnectionSettings(
    String host, int port, Duration connectTimeout, SSLContext tls, SharedSecret secret) {

  String address() {
    return host + ":" + port;
  }
}
