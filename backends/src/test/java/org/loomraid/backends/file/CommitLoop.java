package org.loomraid.backends.file;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.loomraid.storage.ObjectNotFoundException;
import org.loomraid.storage.Oid;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * Runs in a child JVM for {@link CrashTest}: commits forever into the storage in {@code args[0]}
 * (fsync policy EVERY_COMMIT) and prints {@code ACK <tid> <oid>} after each commit returns, until
 * it is killed. Each transaction writes a new object with {@link #payload} and sets the root
 * object to that object's id.
 */
public final class CommitLoop {

  private CommitLoop() {}

  /** Entry point: {@code <directory>}. */
  public static void main(String[] args) {
    try (FileStorage storage = FileStorage.open(Path.of(args[0]))) {
      Tid rootSerial = Tid.NONE;
      try {
        rootSerial = storage.load(Oid.ROOT).serial();
      } catch (ObjectNotFoundException fresh) {
        // first run: no root yet
      }
      while (true) {
        Oid oid = storage.newOid();
        Tid tid;
        try (StorageTransaction tx = storage.begin(TransactionMeta.of("child", "commit " + oid.value()))) {
          tx.store(oid, Tid.NONE, payload(oid));
          tx.store(Oid.ROOT, rootSerial, ByteBuffer.allocate(8).putLong(oid.value()).array());
          tx.vote();
          tid = tx.commit();
        }
        rootSerial = tid;
        System.out.println("ACK " + tid.value() + " " + oid.value());
        System.out.flush();
      }
    }
  }

  /** The data the loop stores for {@code oid}: 100 to 6000 bytes derived from the id. */
  static byte[] payload(Oid oid) {
    Random random = new Random(oid.value());
    byte[] data = new byte[100 + random.nextInt(5900)];
    random.nextBytes(data);
    return data;
  }
}
