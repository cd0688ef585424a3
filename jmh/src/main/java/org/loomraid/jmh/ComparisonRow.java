package org.loomraid.jmh;

import java.util.OptionalDouble;

/**
 * One line of the comparison: a measurement, with how it compares to sequential mirroring and to
 * the floor. Both ratios are of mean latencies.
 *
 * @param measurement what was measured
 * @param speedupVsSequential sequential mean / this mean; empty for the floor, or when sequential
 *     was not measured for this configuration
 * @param ratioToFloor this mean / the floor's mean; empty when the floor was not measured
 */
record ComparisonRow(
    Measurement measurement, OptionalDouble speedupVsSequential, OptionalDouble ratioToFloor) {}
