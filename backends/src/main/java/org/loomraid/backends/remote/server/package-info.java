/**
 * The network server: {@link org.loomraid.backends.remote.server.StorageServer} serves any
 * {@link org.loomraid.storage.Storage} over the loomraid protocol, and, given one, a RAID's
 * administration; {@link org.loomraid.backends.remote.server.BackendOpeners} lets that
 * administration add backends by spec. Depends on the shared {@code remote} package and the wire
 * protocol, never on the client.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>Correctness under failure: a connection that drops aborts its open transactions (a
 *       transaction whose commit arrived finishes instead); an abort that follows a commit waits
 *       for and reports the commit's outcome; an outcome query by tid settles a transaction for
 *       good; garbage on one connection closes that connection and touches nothing else.</li>
 *   <li>No connection can stall or starve the server: a connection's reader never blocks on
 *       anything but its socket; bounded requests are refused beyond the announced limit instead
 *       of queued; commits and aborts are never bounded; a payload's memory follows the bytes
 *       received; a tid above {@code Tid.MAX} or an oid above {@code Oid.MAX} is refused before the
 *       storage is called.</li>
 *   <li>Bounded everything: connections, outstanding requests and unanswered replies per
 *       connection, staged bytes, handshake and frame-read time, the graceful-shutdown drain.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Threads are virtual and created in one place (a package-private factory): an acceptor, one
 * reader per connection, one thread per request. {@code docs/lock-order.md} lists the server's
 * locks and semaphores.
 *
 * <h2>Exceptions</h2>
 * The server throws only from its builder ({@link java.lang.IllegalArgumentException} naming the
 * setting, {@link java.io.UncheckedIOException} if it cannot listen); everything a request raises
 * travels to the client as an error frame ({@code docs/protocol.md}, "Errors").
 */
package org.loomraid.backends.remote.server;
