package org.loomraid.backends.remote.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.storage.BufferedTransaction.Store;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TransactionMeta;

/**
 * Encodes a whole transaction (header and stores) as the frames that carry it: a single
 * {@code VOTE} or {@code RESTORE} frame when it fits the frame limit, else {@code STAGE} frames
 * followed by the final one, each as full as the limit allows. They are sent back to back, so a
 * vote still takes one round trip.
 */
final class TransactionFrames {

  private TransactionFrames() {}

  /**
   * Returns the frames of a transaction, the last one with operation {@code end}.
   *
   * @throws IllegalArgumentException if the metadata alone does not fit a frame
   */
  static List<OutgoingFrame> encode(LongSupplier requestIds, Op end, long transactionId, Tid tid,
      TransactionMeta meta, List<Store> stores) {
    byte[] metaBytes = FrameEncoder.encodeMeta(meta);
    long headerSize = 8L + metaBytes.length;
    if (Protocol.PIECE_OVERHEAD + headerSize > Protocol.MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException("transaction metadata of " + metaBytes.length
          + " bytes does not fit the protocol's frame limit of " + Protocol.MAX_FRAME_LENGTH);
    }
    List<List<Store>> batches = new ArrayList<>();
    List<Store> batch = new ArrayList<>();
    long size = Protocol.PIECE_OVERHEAD + headerSize;
    for (Store store : stores) {
      long storeSize = Protocol.STORE_OVERHEAD + store.data().length;
      if (size + storeSize > Protocol.MAX_PAYLOAD_LENGTH) {
        batches.add(batch);
        batch = new ArrayList<>();
        size = Protocol.PIECE_OVERHEAD;
      }
      batch.add(store);
      size += storeSize;
    }
    batches.add(batch);
    List<OutgoingFrame> frames = new ArrayList<>(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      List<Store> piece = batches.get(i);
      boolean first = i == 0;
      Op op = i == batches.size() - 1 ? end : Op.STAGE;
      long pieceSize = Protocol.PIECE_OVERHEAD + (first ? headerSize : 0);
      for (Store store : piece) {
        pieceSize += Protocol.STORE_OVERHEAD + store.data().length;
      }
      FrameEncoder out = new FrameEncoder(requestIds.getAsLong(), op.code, (int) pieceSize);
      out.writeLong(transactionId).writeBoolean(first);
      if (first) {
        out.writeTid(tid).writeRaw(metaBytes);
      }
      out.writeInt(piece.size());
      for (Store store : piece) {
        out.writeOid(store.oid()).writeTid(store.expectedSerial()).writeBytes(store.data());
      }
      frames.add(out.finish());
    }
    return frames;
  }
}
