/**
 * loomraid backends: storages that do real I/O, and the command-line tool.
 */
@SuppressWarnings("requires-automatic") // the PostgreSQL driver ships an automatic module name only
module org.loomraid.backends {
  requires transitive org.loomraid.core;
  requires transitive java.sql;
  requires org.slf4j;
  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;

  exports org.loomraid.backends.file;
  exports org.loomraid.backends.postgres;
  exports org.loomraid.backends.remote;
}
