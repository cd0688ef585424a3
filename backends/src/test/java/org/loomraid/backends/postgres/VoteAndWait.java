package org.loomraid.backends.postgres;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * A writer that dies between vote and commit: opens a storage, votes one transaction, prints
 * {@code VOTED <schema>} and waits to be killed. Arguments: JDBC URL, schema, object id.
 */
final class VoteAndWait {

  private VoteAndWait() {}

  public static void main(String[] args) throws InterruptedException {
    PostgresStorage storage = PostgresStorage.builder(args[0]).credentials("postgres", "")
        .name("child").schema(args[1]).open();
    StorageTransaction tx = storage.begin(TransactionMeta.of("child", "voted, never committed"));
    tx.store(Oid.of(Long.parseLong(args[2])), Tid.NONE, "orphan".getBytes(StandardCharsets.UTF_8));
    tx.vote();
    System.out.println("VOTED " + storage.schema());
    System.out.flush();
    new CountDownLatch(1).await(); // until killed: the point is to die between vote and commit
  }
}
