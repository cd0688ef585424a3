/**
 * The network client: {@link org.loomraid.backends.remote.client.RemoteStorage}, a
 * {@link org.loomraid.storage.Storage} on a storage server, and
 * {@link org.loomraid.backends.remote.client.RemoteRaidAdmin}, the administration of a RAID the
 * server serves. Depends on the shared {@code remote} package and the wire protocol, never on the
 * server.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>The truth about every commit: committed, not committed (the server settled it), or in
 *       doubt ({@link org.loomraid.storage.CommitOutcomeUnknownException} with the tid). A commit
 *       whose connection broke is settled by asking the server its outcome by tid on a new
 *       connection, within the same call timeout; {@code isCommitted(tid)} asks later.</li>
 *   <li>Every call bounded by its call timeout, an interrupt ending any wait at once.</li>
 *   <li>Back-pressure without deadlock: a connection never has more bounded requests outstanding
 *       than its server announced; callers wait for a slot, commits and aborts never do.</li>
 *   <li>One round trip per phase of a transaction; requests pipelined on one connection.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * {@code RemoteStorage} is safe for any number of threads; a transaction is used by one thread at
 * a time (vote and commit may be on different threads). Threads are virtual and created in one
 * place (a package-private factory): per connection a reader and a writer, and one thread per
 * connection attempt.
 *
 * <h2>Exceptions</h2>
 * As described in {@link org.loomraid.backends.remote}.
 */
package org.loomraid.backends.remote.client;
