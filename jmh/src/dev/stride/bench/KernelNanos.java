package dev.stride.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds in each of a kernel's four variants in one iteration, and calls: the vector kernel,
 * the scalar reference (in cache only), the {@code float[]} loop and the memory-only limit, called
 * in turn ({@link InTurn}). {@link RuleBenchmark} and {@link AveragingBenchmark} share it.
 */
@AuxCounters(AuxCounters.Type.EVENTS)
@State(Scope.Thread)
public class KernelNanos {
  public long vector;
  public long scalar;
  public long floatArray;
  public long limit;
  public long calls;

  @Setup(Level.Iteration)
  public void reset() {
    vector = scalar = floatArray = limit = calls = 0;
  }

  /**
   * Calls {@code variants} in turn, the order rotated by the number of calls so far: {@code
   * {vector, scalar, floatArray, limit}}, or without {@code scalar} out of cache.
   */
  void inTurn(Runnable[] variants) {
    for (int position = 0; position < variants.length; position++) {
      int v = InTurn.variant(calls, position, variants.length);
      long t = InTurn.nanos(variants[v]);
      if (v == 0) {
        vector += t;
      } else if (v == variants.length - 1) {
        limit += t;
      } else if (v == variants.length - 2) {
        floatArray += t;
      } else {
        scalar += t;
      }
    }
    calls++;
  }
}
