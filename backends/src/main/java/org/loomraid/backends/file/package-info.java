/**
 * {@link org.loomraid.backends.file.FileStorage}: a durable storage, an append-only transaction
 * log in a directory that survives crashes of the process, the operating system and the machine.
 *
 * <h2>Priorities, in order</h2>
 * <ol>
 *   <li>Never lose or invent an acknowledged commit: a commit is one checksummed unit, synced
 *       before it is acknowledged ({@link org.loomraid.backends.file.FsyncPolicy#EVERY_COMMIT});
 *       on open a torn last unit is truncated and any other damage is refused, never skipped.
 *   <li>Stay usable for every thread whatever one thread suffers: interrupts never close a shared
 *       file, and a failed write is cut back off.
 *   <li>Speed: one write call (and one sync) per transaction, reads by position without locks,
 *       an index of two longs per revision.
 * </ol>
 *
 * <h2>Directory layout</h2>
 * <ul>
 *   <li>{@code loomraid.log}: the log. Created {@code rw-------}, like every file here.
 *   <li>{@code loomraid.lock}: locked while a storage has the directory open; holds its pid.
 *   <li>{@code loomraid.log.pack}, {@code loomraid.log.new}: temporary files of a pack and of the
 *       log's creation; a crash can leave them behind, and the next open deletes them.
 * </ul>
 *
 * <h2>Log format (version 1; byte by byte in {@code docs/file-format.md})</h2>
 * Big-endian throughout. A 16-byte file header ({@code LOOMRAID}, format version, flags, CRC32C),
 * then units, one after another:
 * <pre>
 *  unit header (32)  magic "LOGR" | kind (1 = transaction, 2 = OID reservation) | 3 zero bytes
 *                    | unit length u32 | record count u32 | tid u64 | meta length u32 | 4 zero bytes
 *  meta              user, description, extension entries (u32 length + modified UTF-8 each)
 *  records           oid u64 | data length u32 | CRC32C of data u32 | data
 *  trailer (8)       unit length u32 (again) | CRC32C of every byte of the unit before it
 * </pre>
 * An OID reservation unit carries the reserved-through oid in the tid field and once more as its
 * 8-byte body. Transactions appear in strictly increasing tid order.
 *
 * <h2>Threading</h2>
 * Every public method is thread-safe; see {@link org.loomraid.backends.file.FileStorage} for the
 * locks and their order. No method creates threads. I/O goes through {@code RandomAccessFile},
 * whose reads, writes and syncs ignore interrupts, so an interrupted thread finishes its I/O and
 * no shared handle is ever closed by an interrupt.
 *
 * <h2>Exceptions</h2>
 * Answers are the {@link org.loomraid.storage.StorageException}s of the storage API. In doubt:
 * {@link org.loomraid.storage.CommitOutcomeUnknownException} from a commit or restore whose unit
 * was written but not known to be on the device (a failed sync); the storage then refuses writes
 * until reopened, and the reopen tells whether it committed. Failures:
 * {@link java.io.UncheckedIOException} for I/O errors (a write that failed and was cut back off the
 * log: nothing was committed);
 * {@link org.loomraid.backends.file.CorruptLogException} and
 * {@link org.loomraid.backends.file.LogFormatException} for a log that cannot be used (naming the
 * file and byte offset); {@link org.loomraid.backends.file.DirectoryLockedException} for a
 * directory open elsewhere; {@link org.loomraid.backends.file.ReadOnlyStorageException} for a write
 * to a read-only storage; {@link org.loomraid.storage.StorageClosedException} after close;
 * {@link org.loomraid.storage.StorageInterruptedException} for an interrupted wait for the commit
 * lock. Bad arguments raise {@link java.lang.IllegalArgumentException} or
 * {@link java.lang.NullPointerException} and change nothing.
 */
package org.loomraid.backends.file;
