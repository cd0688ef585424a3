package org.loomraid.jmh;

import java.util.OptionalDouble;

/**
 * One line of the comparison: a measurement, with how it compares to sequential mirroring and to
 * the floor. Both ratios are of median (p50) latencies.
 *
 * @param measurement what was measured
 * @param speedupVsSequential sequential p50 / this p50; empty for the floor, or when sequential
 *     was not measured for this configuration
 * @param ratioToFloor this p50 / the floor's p50; empty when the floor was not measured
 */
record ComparisonRow(
    Measurement measurement, OptionalDouble speedupVsSequential, OptionalDouble ratioToFloor) {}
