/**
 * Choosing the learning rate: {@link dev.stride.tuning.RangeTest} (the learning-rate range test,
 * whose {@link dev.stride.tuning.RangeTestResult} suggests rates by a {@link
 * dev.stride.tuning.Heuristic}) and {@link dev.stride.tuning.BatchSizeScaling}.
 */
package dev.stride.tuning;
