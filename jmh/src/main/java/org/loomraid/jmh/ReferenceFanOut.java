package org.loomraid.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.loomraid.storage.Storage;
import org.loomraid.storage.StorageTransaction;
import org.loomraid.storage.Tid;
import org.loomraid.storage.TidGenerator;
import org.loomraid.storage.TransactionMeta;

/**
 * The hand-written fan-out the RAID's is measured against: one virtual thread per backend per
 * phase through {@link ExecutorService#invokeAll}, and nothing else: no deadline, no vote, no
 * classification of outcomes, no commit lock, no bookkeeping. A mirroring loop cannot be much
 * simpler, so the engine, which does all of that too, should be no slower.
 *
 * <p>Used by one thread at a time (the benchmark's caller).
 */
final class ReferenceFanOut implements AutoCloseable {

  private static final TransactionMeta META = TransactionMeta.of("bench", "reference");

  private final List<Storage> backends;
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(BenchmarkThreads.virtual("bench-reference-"));
  private final List<Callable<Tid>> reads = new ArrayList<>();
  private final TidGenerator tids = TidGenerator.system();
  private Tid last = Tid.NONE;

  /** Fans out to {@code backends}, which it closes when closed. */
  ReferenceFanOut(List<Storage> backends) {
    this.backends = List.copyOf(backends);
    for (Storage backend : this.backends) {
      reads.add(backend::lastTransaction);
      Tid backendLast = backend.lastTransaction();
      if (backendLast.isAfter(last)) {
        last = backendLast;
      }
    }
  }

  /** One phase: {@code lastTransaction()} of every backend, each on its own virtual thread. */
  Tid phase() {
    return all(reads).get(0);
  }

  /**
   * An empty transaction on every backend under one tid: a phase that begins and votes, then one
   * that commits.
   */
  Tid emptyCommit() {
    Tid tid = tids.next(last);
    List<Callable<StorageTransaction>> votes = new ArrayList<>(backends.size());
    for (Storage backend : backends) {
      votes.add(() -> {
        StorageTransaction tx = backend.begin(META, tid);
        tx.vote();
        return tx;
      });
    }
    List<StorageTransaction> voted = all(votes);
    List<Callable<Tid>> commits = new ArrayList<>(voted.size());
    for (StorageTransaction tx : voted) {
      commits.add(tx::commit);
    }
    all(commits);
    last = tid;
    return tid;
  }

  private <T> List<T> all(List<Callable<T>> calls) {
    try {
      List<Future<T>> futures = executor.invokeAll(calls);
      List<T> results = new ArrayList<>(futures.size());
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in the reference fan-out", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a backend failed in the reference fan-out", e.getCause());
    }
  }

  /** Stops the executor and closes the backends. */
  @Override
  public void close() {
    executor.close();
    backends.forEach(Storage::close);
  }
}
