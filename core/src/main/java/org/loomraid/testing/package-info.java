/**
 * Test aids that users can use too: storages that misbehave on purpose.
 *
 * <ul>
 *   <li>{@link org.loomraid.testing.FaultyStorage} wraps any storage and, per operation, fails
 *       once, always or after n calls, hangs (honouring interrupts or ignoring them), delays,
 *       returns a wrong result, or serves one committed transaction silently altered. It is how the
 *       RAID's failure handling and its scrub are tested.</li>
 *   <li>{@link org.loomraid.testing.LatencyStorage} adds a fixed or uniformly random latency per
 *       call, simulating a storage across a network; the benchmarks use it.</li>
 * </ul>
 *
 * <h2>Priorities</h2>
 * Faithfulness first: a wrapper changes nothing but what it was told to change, and a failed call
 * leaves the wrapped storage as it was. Then control: every hang can be ended by the test
 * ({@link org.loomraid.testing.FaultyStorage#releaseHangs()}), so no thread outlives its test.
 *
 * <h2>Threading</h2>
 * Both wrappers are as thread-safe as the storage they wrap, and faults can be changed while
 * other threads use the storage. Waiting is done by parking, never by spinning.
 *
 * <h2>Exceptions</h2>
 * Injected failures are {@link org.loomraid.testing.InjectedFaultException}s (runtime exceptions,
 * so failures, not answers) unless the test supplies its own; an interrupted hang or delay throws
 * {@link org.loomraid.storage.StorageInterruptedException} with the interrupt flag set.
 */
package org.loomraid.testing;
