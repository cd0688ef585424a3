/**
 * loomraid backends: storages that do real I/O, and the command-line tool.
 *
 * <p>Exported: the durable file storage; the network client ({@code remote.client}) and server
 * ({@code remote.server}) and what they share with their users ({@code remote}: the failure type
 * and TLS contexts). The wire protocol ({@code remote.wire}) and the command line are internal.
 */
module org.loomraid.backends {
  requires transitive org.loomraid.core;
  requires org.slf4j;

  exports org.loomraid.backends.file;
  exports org.loomraid.backends.remote;
  exports org.loomraid.backends.remote.client;
  exports org.loomraid.backends.remote.server;
}
