/**
 * The storage API: one contract that every storage implements — memory, file, remote, and the
 * RAID itself — plus {@link org.loomraid.storage.MemoryStorage}, its reference implementation.
 *
 * <h2>Design priorities, in order</h2>
 * <ol>
 *   <li>Correctness: a committed transaction is whole and never lost; a reader never sees part of
 *       one; a conflicting transaction leaves no trace.</li>
 *   <li>Clear failure: every bad argument is refused with a message naming it, and leaves the
 *       storage as it was.</li>
 *   <li>Speed: reads take no lock; commits hold the commit lock only between vote and commit.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Every {@link org.loomraid.storage.Storage} is safe for use by any number of threads. Commits are
 * serialised by the storage's commit lock, held from
 * {@link org.loomraid.storage.StorageTransaction#vote()} to commit or abort, and released by
 * whichever thread ends the transaction. Value types ({@link org.loomraid.storage.Oid},
 * {@link org.loomraid.storage.Tid}, records) are immutable; records copy their byte arrays.
 *
 * <h2>Exceptions</h2>
 * <ul>
 *   <li>{@link org.loomraid.storage.StorageException} and its subclasses are <em>answers</em>:
 *       {@link org.loomraid.storage.ConflictException},
 *       {@link org.loomraid.storage.ObjectNotFoundException},
 *       {@link org.loomraid.storage.StaleTidException},
 *       {@link org.loomraid.storage.CommitLockTimeoutException}. A RAID passes agreed answers on.</li>
 *   <li>Everything else is a <em>failure</em>, among them
 *       {@link org.loomraid.storage.StorageClosedException} and
 *       {@link org.loomraid.storage.StorageInterruptedException}; a RAID takes a failing backend
 *       out of service.</li>
 *   <li>{@link java.lang.IllegalArgumentException} / {@link java.lang.NullPointerException}: a bad
 *       argument; {@link java.lang.IllegalStateException}: a call in the wrong state.</li>
 * </ul>
 * No storage deserialises Java objects: object data is opaque bytes.
 */
package org.loomraid.storage;
