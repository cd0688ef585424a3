package org.loomraid.backends.postgres;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a storage instance the owner of its prepared transactions: a session-level advisory
 * lock on the instance's random id, held on a connection of its own for the instance's lifetime.
 * The id is part of every gid the instance prepares, so another instance can tell a prepared
 * transaction whose writer is alive (its lock is held) from an orphan (its lock can be taken: the
 * writer's session is gone) and roll back only the latter.
 *
 * <p>Only opening, taking the lock again and closing touch the owner connection; everything else
 * runs on pooled connections the caller passes in. An interrupt closes the socket a virtual thread
 * is blocked on, so a call the RAID interrupts must never be using the owner connection, or it
 * would drop the lock. The connection lock ({@link #lock}) guards replacing the owner connection;
 * it is taken after no other lock of the storage and held for that only.
 */
final class OwnerLock implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerLock.class);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** How often a vote checks that the owner connection (and so the lock) is still there. */
  private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final DataSource dataSource;
  private final String storage;
  private final String prefix;
  private final long id;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection;
  private int ownerPid;
  private volatile long checkedAt;

  private OwnerLock(DataSource dataSource, String storage, String prefix, long id,
      Connection connection) {
    this.dataSource = dataSource;
    this.storage = storage;
    this.prefix = prefix;
    this.id = id;
    this.connection = connection;
    this.ownerPid = backendPid(connection);
    this.checkedAt = System.nanoTime();
  }

  /**
   * Takes the advisory lock of a fresh random id on {@code connection}, which the returned owner
   * keeps (and closes) from then on.
   */
  static OwnerLock acquire(DataSource dataSource, String storage, String prefix,
      Connection connection) throws SQLException {
    for (int attempt = 0; attempt < 16; attempt++) {
      long id = RANDOM.nextLong();
      if (tryLock(connection, id)) {
        return new OwnerLock(dataSource, storage, prefix, id, connection);
      }
    }
    throw new PostgresStorageException("storage '" + storage + "': 16 random instance ids were"
        + " all locked by other sessions; something else holds advisory locks in bulk", null, null);
  }

  /** Returns this instance's id, the owner part of its gids. */
  long id() {
    return id;
  }

  /**
   * Makes sure the lock is still held: at most once a second, asks the server (on {@code pooled})
   * whether the owner session still holds it and, if it is gone (the server restarted, the network
   * failed), takes the lock again on a new connection.
   *
   * @throws PostgresStorageException if the lock cannot be had again
   */
  void ensureHeld(Connection pooled) throws SQLException {
    if (System.nanoTime() - checkedAt < CHECK_INTERVAL_NANOS) {
      return;
    }
    int pid;
    lock.lock();
    try {
      pid = ownerPid;
    } finally {
      lock.unlock();
    }
    if (pid != 0 && isHeldBy(pooled, pid)) {
      checkedAt = System.nanoTime();
      return;
    }
    lock.lock();
    try {
      if (ownerPid != pid) {
        return; // replaced meanwhile by another caller
      }
      Connection fresh = dataSource.getConnection();
      try {
        fresh.setAutoCommit(true);
        if (!tryLock(fresh, id)) {
          throw new PostgresStorageException("storage '" + storage + "': lost its owner"
              + " connection and cannot take its instance lock again: another session holds it",
              null, null);
        }
      } catch (SQLException | RuntimeException e) {
        closeQuietly(fresh);
        throw e;
      }
      closeQuietly(connection);
      connection = fresh;
      ownerPid = backendPid(fresh);
      checkedAt = System.nanoTime();
      LOG.warn("storage '{}': its owner session was gone; took the instance lock again on a new"
          + " connection", storage);
    } finally {
      lock.unlock();
    }
  }

  private boolean isHeldBy(Connection c, int pid) throws SQLException {
    try (PreparedStatement query = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks"
        + " WHERE locktype = 'advisory' AND granted AND pid = ? AND classid::bigint = ? AND objid::bigint = ?"
        + " AND objsubid = 1)")) {
      query.setInt(1, pid);
      query.setLong(2, id >>> 32);
      query.setLong(3, id & 0xFFFF_FFFFL);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** Returns the server process id of {@code c}'s session, or 0 if the driver does not say. */
  static int backendPid(Connection c) {
    try {
      return c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    } catch (SQLException e) {
      return 0;
    }
  }

  /**
   * Rolls back every prepared transaction of this storage whose owner is gone, logging one WARN
   * line each; leaves those of live owners alone.
   *
   * @param c the connection to work on: the owner connection at open, a pooled one later
   * @param opening whether the storage is opening: then a gid with this instance's own id is an
   *     orphan of an earlier instance that drew the same id; later it is one of this instance's,
   *     which its transaction resolves
   * @return how many were rolled back
   */
  int resolveOrphans(Connection c, boolean opening) throws SQLException {
    List<String[]> prepared = new ArrayList<>();
    try (PreparedStatement query = c.prepareStatement("SELECT gid, prepared::text, owner::text"
        + " FROM pg_prepared_xacts WHERE database = current_database() AND left(gid, ?) = ?")) {
      query.setInt(1, prefix.length());
      query.setString(2, prefix);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          prepared.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3)});
        }
      }
    }
    int resolved = 0;
    for (String[] row : prepared) {
      Gid gid = Gid.parse(prefix, row[0]);
      if (gid == null) {
        LOG.warn("storage '{}': prepared transaction '{}' has this storage's prefix but no gid"
            + " this release writes; left alone", storage, row[0]);
      } else if ((opening || gid.owner() != id) && rollBackIfOrphaned(c, gid, row[1], row[2])) {
        resolved++;
      }
    }
    return resolved;
  }

  /** Returns the owner connection; only for resolving orphans while the storage opens. */
  Connection openingConnection() {
    lock.lock();
    try {
      return connection;
    } finally {
      lock.unlock();
    }
  }

  private boolean rollBackIfOrphaned(Connection c, Gid gid, String preparedAt, String user)
      throws SQLException {
    boolean own = gid.owner() == id; // only at open: an earlier instance's, as resolveOrphans says
    if (!own && !tryLock(c, gid.owner())) {
      LOG.debug("storage '{}': prepared transaction {} belongs to a live instance; left alone",
          storage, gid);
      return false;
    }
    try (Statement rollback = c.createStatement()) {
      rollback.execute("ROLLBACK PREPARED '" + gid.text() + "'");
      LOG.warn("storage '{}': rolled back the prepared transaction {} of {} (prepared at {} by"
          + " '{}'): its writer ended between vote and commit; a transaction is only ever"
          + " acknowledged after a commit, so a RAID brings this backend level", storage,
          gid.text(), gid.tid(), preparedAt, user);
      return true;
    } catch (SQLException e) {
      if (SqlStates.kindOf(e) == SqlStates.Kind.UNDEFINED_OBJECT) {
        return false; // resolved meanwhile by its owner or another instance
      }
      throw e;
    } finally {
      if (!own) {
        unlock(c, gid.owner());
      }
    }
  }

  private static boolean tryLock(Connection c, long key) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      lock.setLong(1, key);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private static void unlock(Connection c, long key) throws SQLException {
    try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      unlock.setLong(1, key);
      unlock.executeQuery().close();
    }
  }

  /** Releases the lock and closes the owner connection; idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      Connection c = connection;
      connection = null;
      if (c != null) {
        try {
          unlock(c, id);
        } catch (SQLException e) {
          LOG.debug("storage '{}': releasing the instance lock failed (it ends with the session)",
              storage, e);
        }
        closeQuietly(c);
      }
    } finally {
      lock.unlock();
    }
  }

  private void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("storage '{}': closing the owner connection failed", storage, e);
    }
  }
}
