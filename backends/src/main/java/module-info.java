/**
 * loomraid backends: storages that do real I/O, and the command-line tool.
 */
module org.loomraid.backends {
  requires transitive org.loomraid.core;
  requires org.slf4j;

  exports org.loomraid.backends.file;
  exports org.loomraid.backends.remote;
}
