package org.loomraid.storage;

import java.util.Map;
import java.util.Objects;

/**
 * What a storage accepts: the largest record, the largest transaction and the largest metadata.
 * Every storage declares its limits ({@link Storage#limits()}) and refuses anything beyond them with
 * a {@link LimitExceededException}, before anything is written. A RAID checks every transaction once,
 * up front, against the strictest limits of its backends, so that a request over a limit is the
 * caller's error and never reaches (or degrades) a backend.
 *
 * @param maxRecordSize the largest data of one record, in bytes; between 1 and
 *     {@link DataRecord#MAX_DATA_LENGTH}
 * @param maxTransactionSize the largest total data of one transaction, in bytes; at least 1
 * @param maxMetaSize the largest {@link TransactionMeta#byteSize()} of one transaction; at least 0
 */
public record StorageLimits(int maxRecordSize, long maxTransactionSize, int maxMetaSize) {

  /** The limits every storage has at least: records up to 16 MiB, transactions and metadata unbounded. */
  public static final StorageLimits DEFAULT =
      new StorageLimits(DataRecord.MAX_DATA_LENGTH, Long.MAX_VALUE, Integer.MAX_VALUE);

  /**
   * Creates limits.
   *
   * @throws IllegalArgumentException if a limit is out of its range (the message names it)
   */
  public StorageLimits {
    if (maxRecordSize < 1 || maxRecordSize > DataRecord.MAX_DATA_LENGTH) {
      throw new IllegalArgumentException("maxRecordSize must be between 1 and "
          + DataRecord.MAX_DATA_LENGTH + " bytes, was " + maxRecordSize);
    }
    if (maxTransactionSize < 1) {
      throw new IllegalArgumentException(
          "maxTransactionSize must be at least 1 byte, was " + maxTransactionSize);
    }
    if (maxMetaSize < 0) {
      throw new IllegalArgumentException("maxMetaSize must be >= 0 bytes, was " + maxMetaSize);
    }
  }

  /** Returns these limits with {@code maxRecordSize} replaced. */
  public StorageLimits withMaxRecordSize(int bytes) {
    return new StorageLimits(bytes, maxTransactionSize, maxMetaSize);
  }

  /** Returns these limits with {@code maxTransactionSize} replaced. */
  public StorageLimits withMaxTransactionSize(long bytes) {
    return new StorageLimits(maxRecordSize, bytes, maxMetaSize);
  }

  /** Returns these limits with {@code maxMetaSize} replaced. */
  public StorageLimits withMaxMetaSize(int bytes) {
    return new StorageLimits(maxRecordSize, maxTransactionSize, bytes);
  }

  /** Returns the limits that satisfy both these and {@code other}: the smaller of each. */
  public StorageLimits strictest(StorageLimits other) {
    Objects.requireNonNull(other, "other");
    return new StorageLimits(Math.min(maxRecordSize, other.maxRecordSize),
        Math.min(maxTransactionSize, other.maxTransactionSize),
        Math.min(maxMetaSize, other.maxMetaSize));
  }

  /**
   * Checks one record's data length.
   *
   * @param storage the storage's name, for the message
   * @throws LimitExceededException if {@code length > maxRecordSize}
   */
  public void checkRecord(Oid oid, int length, String storage) {
    if (length > maxRecordSize) {
      throw new LimitExceededException(storage, "maxRecordSize", length, maxRecordSize,
          "the data of " + oid);
    }
  }

  /**
   * Checks a transaction's total data length.
   *
   * @throws LimitExceededException if {@code totalLength > maxTransactionSize}
   */
  public void checkTransaction(long totalLength, String storage) {
    if (totalLength > maxTransactionSize) {
      throw new LimitExceededException(storage, "maxTransactionSize", totalLength,
          maxTransactionSize, "the transaction's data");
    }
  }

  /**
   * Checks a transaction's metadata.
   *
   * @throws LimitExceededException if its {@link TransactionMeta#byteSize()} is over {@code maxMetaSize}
   */
  public void checkMeta(TransactionMeta meta, String storage) {
    if (3 * charCount(meta) <= maxMetaSize) {
      return; // no char takes more than 3 bytes in UTF-8 (a surrogate pair takes 4 for 2)
    }
    long size = meta.byteSize();
    if (size > maxMetaSize) {
      throw new LimitExceededException(storage, "maxMetaSize", size, maxMetaSize,
          "the transaction's metadata");
    }
  }

  private static long charCount(TransactionMeta meta) {
    long chars = (long) meta.user().length() + meta.description().length();
    for (Map.Entry<String, String> entry : meta.extension().entrySet()) {
      chars += entry.getKey().length() + entry.getValue().length();
    }
    return chars;
  }

  /**
   * Checks a whole committed transaction (as {@link Storage#restore} receives it): its tid and
   * object ids against the id ranges, its metadata, every record and its total.
   *
   * @throws IllegalArgumentException if its tid is above {@link Tid#MAX} or an oid above
   *     {@link Oid#MAX}
   * @throws LimitExceededException if it is over a limit
   */
  public void check(TransactionRecord record, String storage) {
    Tid.checkInRange(record.tid(), "tid");
    checkMeta(record.meta(), storage);
    long total = 0;
    for (DataRecord data : record.records()) {
      Oid.checkInRange(data.oid(), "oid");
      checkRecord(data.oid(), data.length(), storage);
      total += data.length();
    }
    checkTransaction(total, storage);
  }
}
