package org.loomraid.backends.remote;

import java.time.Duration;
import javax.net.ssl.SSLContext;

/** Where and how a {@link RemoteStorage} connects; {@code tls} and {@code secret} may be null. */
record ConnectionSettings(
    String host, int port, Duration connectTimeout, SSLContext tls, SharedSecret secret) {

  String address() {
    return host + ":" + port;
  }
}
