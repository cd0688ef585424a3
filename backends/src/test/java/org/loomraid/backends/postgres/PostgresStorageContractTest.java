package org.loomraid.backends.postgres;

import org.loomraid.storage.DataRecord;
import org.loomraid.storage.Storage;
import org.loomraid.storage.contract.StorageContractTest;

/**
 * Runs the storage contract against {@link PostgresStorage} on the shared embedded server, a fresh
 * schema per storage, with a record limit of 1 MiB so the limit tests stay cheap; durability
 * included: reopen opens a new instance on the same schema.
 */
class PostgresStorageContractTest extends StorageContractTest {

  static final int MAX_RECORD_SIZE = 1 << 20;

  @Override
  protected Storage createStorage(String name) {
    return open(name, TestDatabases.freshSchema());
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected Storage reopen(Storage closed) {
    return open(closed.name(), ((PostgresStorage) closed).schema());
  }

  private static Storage open(String name, String schema) {
    return PostgresStorage.builder(TestDatabases.pool("postgres")).name(name).schema(schema)
        .limits(PostgresStorage.MAX_LIMITS.withMaxRecordSize(MAX_RECORD_SIZE)).open();
  }

  static {
    assert MAX_RECORD_SIZE < DataRecord.MAX_DATA_LENGTH;
  }
}
