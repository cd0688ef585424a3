/**
 * The wire protocol shared by the client and the server: its constants ({@link
 * org.loomraid.backends.remote.wire.Protocol}), operation and error codes, the frame reader and
 * writer, the payload encoder and decoder, the error codec, the hello and the shared-secret proofs.
 * {@code docs/protocol.md} describes every byte. Not exported: only the client and server packages
 * of this module use it.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>A peer can never make the other allocate or wait without bound: every length and count is
 *       checked against what remains before anything is allocated, and a payload's buffer grows
 *       only with the bytes that have arrived.</li>
 *   <li>An answer at the server is the same answer at the client ({@link
 *       org.loomraid.backends.remote.wire.ErrorCodec}).</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Everything here is stateless or confined to the one thread that builds or reads a frame.
 *
 * <h2>Exceptions</h2>
 * Malformed input raises {@link org.loomraid.backends.remote.wire.ProtocolViolationException}
 * (an {@code IOException}: the connection is closed), never a runtime exception.
 */
package org.loomraid.backends.remote.wire;
