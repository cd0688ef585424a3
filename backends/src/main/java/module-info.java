/**
 * loomraid backends: storages that do real I/O, and the command-line tool.
 *
 * <p>Exported: the durable file storage; the network client ({@code remote.client}) and server
 * ({@code remote.server}) and what they share with their users ({@code remote}: the failure type
 * and TLS contexts). The wire protocol ({@code remote.wire}) and the command line are internal; the
 * command line's package is opened to picocli alone, which reads its annotated fields reflectively.
 */
@SuppressWarnings("requires-automatic") // the PostgreSQL driver ships an automatic module name only
module org.loomraid.backends {
  requires transitive org.loomraid.core;
  requires transitive java.sql;
  requires org.slf4j;
  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;
  requires info.picocli;

  exports org.loomraid.backends.file;
  exports org.loomraid.backends.postgres;
  exports org.loomraid.backends.remote;
  exports org.loomraid.backends.remote.client;
  exports org.loomraid.backends.remote.server;

  opens org.loomraid.backends.cli to info.picocli;
}
