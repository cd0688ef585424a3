/**
 * {@link org.loomraid.backends.postgres.PostgresStorage}: a storage in a PostgreSQL database whose
 * two-phase commit is the database's own ({@code PREPARE TRANSACTION} at vote,
 * {@code COMMIT PREPARED} at commit), so a RAID can mirror every commit onto databases users
 * already run, or mix them with file storages, and recover one from the other.
 *
 * <h2>Priorities, in order</h2>
 * <ol>
 *   <li>Never lose or invent an acknowledged commit: once {@code vote()} returns, the database
 *       holds the transaction prepared, durable and under the commit lock, and nothing but a
 *       failure can keep {@code commit()} from committing it; a lost reply is resolved by asking the
 *       database, and a commit is reported in doubt only while the database cannot be asked.
 *   <li>Leave nothing half-done: every write is one database transaction; a transaction left
 *       prepared by a writer that died is rolled back by the next storage that opens the schema;
 *       an interrupted call breaks only its own connection, which the pool drops.
 *   <li>Share the database: storages live in schemas of their own, commits are serialised across
 *       processes by a row lock, and reads never wait for it.
 *   <li>Speed: a vote is two round trips (the lock and the conflict check; then the revisions, the
 *       transaction row, the state row and the prepare, in one statement string for up to 500
 *       records), a commit one; reads are one indexed query.
 * </ol>
 *
 * <h2>Tables (schema version 1)</h2>
 * <pre>
 *   schema_version  (version)                                       one row
 *   state           (last_tid, objects, transactions, bytes)        one row; its row lock is the commit lock
 *   oid_counter     (value)                                         one row
 *   transactions    (tid PRIMARY KEY, meta bytea)
 *   revisions       (object_id, tid, seq, data bytea)               PRIMARY KEY (object_id, tid), UNIQUE (tid, seq)
 * </pre>
 * Metadata is kept in a binary encoding, so that any Java string survives (PostgreSQL text refuses
 * NUL and unpaired surrogates). {@code lastTransaction()} and {@code stats()} read the state row, so
 * they cost the same however long the history is. Prepared transactions are named
 * {@code loomraid/<database oid>/<schema>/<instance>/<tid>/<sequence>}.
 *
 * <h2>Server requirements</h2>
 * {@code max_prepared_transactions} above zero (at least one per storage that commits at the same
 * time), a primary that accepts writes, and a user with USAGE on the schema and SELECT, INSERT,
 * UPDATE and DELETE on its tables (or CREATE on the database for the first open, which creates
 * them). Each is checked at open, and a server or user that falls short is refused with a message
 * saying what to change: there is no read-only mode, since opening resolves prepared transactions
 * left by crashes. Tested with PostgreSQL 14.
 *
 * <h2>Threading</h2>
 * Every public method is thread-safe. No method creates threads (a pool made from a JDBC URL is a
 * HikariCP pool, which runs its own housekeeping thread). Calls block only on the network and on
 * the commit lock in the database; neither the driver nor the pool pins a virtual thread's carrier.
 * See {@link org.loomraid.backends.postgres.PostgresStorage} for interrupts and lost replies.
 *
 * <h2>Exceptions</h2>
 * Answers are the {@link org.loomraid.storage.StorageException}s of the storage API; a commit whose
 * outcome the database cannot tell is a {@link org.loomraid.storage.CommitOutcomeUnknownException}.
 * Failures: {@link org.loomraid.backends.postgres.PostgresStorageException} for a database error
 * that is not an answer (with its SQLSTATE), {@link org.loomraid.backends.postgres.PostgresSchemaException}
 * for a schema that is not a storage of this version, {@link org.loomraid.storage.StorageClosedException}
 * after close, {@link org.loomraid.storage.StorageInterruptedException} for an interrupted call. Bad
 * arguments raise {@link java.lang.IllegalArgumentException} or {@link java.lang.NullPointerException}
 * and change nothing.
 */
package org.loomraid.backends.postgres;
