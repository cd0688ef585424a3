/**
 * Storages over the network: {@link org.loomraid.backends.remote.StorageServer} serves any
 * {@link org.loomraid.storage.Storage} (a file storage, a whole RAID) over TCP, and
 * {@link org.loomraid.backends.remote.RemoteStorage} is the client, itself a {@code Storage}, so a
 * RAID can mirror across machines and applications can use a RAID served by another process.
 * The wire protocol is described byte by byte in {@code docs/protocol.md}.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>Correctness under failure: a connection that drops aborts its open transactions (the
 *       commit lock is released); garbage on one connection closes that connection and touches
 *       nothing else; an answer at the server is the same answer at the client.</li>
 *   <li>Bounded everything: frame size (checked before allocating), handshake and frame-read time,
 *       connections, requests in execution per connection, staged bytes, and every client call
 *       (connect and call timeouts; an interrupt ends a wait at once).</li>
 *   <li>Latency: one round trip per phase of two-phase commit (stores travel with the vote),
 *       pipelined requests on one connection, pages of history fetched one ahead.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Both classes are safe for any number of threads. All threads are virtual and created in one
 * place: per server, an acceptor, one reader per connection and one thread per request that
 * calls the storage; per client connection, a reader and a writer. No lock is held across
 * blocking I/O except the lock that serialises writes to one socket.
 *
 * <h2>Exceptions</h2>
 * <ul>
 *   <li>The served storage's answers ({@code StorageException}s: conflict, not found, stale tid,
 *       commit lock timeout) arrive as the same types with the same subject fields.</li>
 *   <li>{@link java.lang.IllegalArgumentException}: the server refused an argument.</li>
 *   <li>{@link org.loomraid.backends.remote.RemoteStorageException} (not a
 *       {@code StorageException}): the served storage failed, or the server refused the
 *       connection or request.</li>
 *   <li>{@link java.io.UncheckedIOException}: a transport failure (cannot connect, connection
 *       lost, no response within the call timeout).</li>
 *   <li>{@link org.loomraid.storage.StorageInterruptedException}: the calling thread was
 *       interrupted; {@link org.loomraid.storage.StorageClosedException}: the client was closed.
 *       </li>
 * </ul>
 */
package org.loomraid.backends.remote;
