/**
 * Storages over the network: what the client and the server share with their users. The server
 * ({@code org.loomraid.backends.remote.server.StorageServer}) serves any
 * {@link org.loomraid.storage.Storage} (a file storage, a whole RAID) over TCP; the client
 * ({@code org.loomraid.backends.remote.client.RemoteStorage}) is itself a {@code Storage}, so a
 * RAID can mirror across machines and applications can use a RAID served by another process. Both
 * speak the protocol of the internal {@code remote.wire} package, described byte by byte in
 * {@code docs/protocol.md}; neither depends on the other.
 *
 * <p>This package holds {@link org.loomraid.backends.remote.RemoteStorageException}, the failure
 * a client reports for the server's failures and refusals, and
 * {@link org.loomraid.backends.remote.TlsContexts}, which builds the TLS contexts of both sides.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>Every outcome tells the truth: an answer at the server is the same answer at the client;
 *       a commit is reported committed, not committed, or in doubt
 *       ({@link org.loomraid.storage.CommitOutcomeUnknownException}, with its tid), never "failed"
 *       when it may have happened.</li>
 *   <li>A peer cannot stall or starve the other: the server's reader never blocks on anything but
 *       its socket, commits never queue behind the requests that wait for them, memory follows
 *       the bytes actually received, ids beyond the ends of the id spaces never reach a storage.
 *       </li>
 *   <li>Bounded everything: frame size, handshake and frame-read time, connections, outstanding
 *       requests per connection, staged bytes, and every client call (connect and call timeouts;
 *       an interrupt ends a wait at once).</li>
 *   <li>Latency: one round trip per phase of two-phase commit (stores travel with the vote),
 *       pipelined requests on one connection, pages of history fetched one ahead.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Client and server are safe for any number of threads. All their threads are virtual and each
 * side creates them in one place: per server, an acceptor, one reader per connection and one
 * thread per request; per client connection, a reader and a writer. No lock is held across
 * blocking I/O except the lock that serialises writes to one socket. {@code docs/lock-order.md}
 * lists every lock and semaphore.
 *
 * <h2>Exceptions (at the client)</h2>
 * <ul>
 *   <li>The served storage's answers ({@code StorageException}s: conflict, not found, stale tid,
 *       commit lock timeout, id space exhausted) arrive as the same types with the same subject
 *       fields.</li>
 *   <li>{@link java.lang.IllegalArgumentException} (and {@code LimitExceededException}): the
 *       request was refused as the caller's error, by the client before sending or by the
 *       server.</li>
 *   <li>{@link org.loomraid.storage.CommitOutcomeUnknownException}: a commit or restore whose
 *       outcome is unknown; it carries the tid.</li>
 *   <li>{@link org.loomraid.backends.remote.RemoteStorageException} (not a
 *       {@code StorageException}): the served storage failed, or the server refused the
 *       connection or request.</li>
 *   <li>{@link java.io.UncheckedIOException}: a transport failure (cannot connect, connection
 *       lost, no response within the call timeout) of anything but a commit.</li>
 *   <li>{@link org.loomraid.storage.StorageInterruptedException}: the calling thread was
 *       interrupted; {@link org.loomraid.storage.StorageClosedException}: the client was closed.
 *       </li>
 * </ul>
 */
package org.loomraid.backends.remote;
