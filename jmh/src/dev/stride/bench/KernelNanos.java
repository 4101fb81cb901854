package dev.stride.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds in each of a kernel's variants in one iteration, and calls: the vector kernel, the
 * scalar reference (in cache only), the {@code float[]} loop, and the memory-only limit in Java and
 * in C ({@link Yardstick}), called in turn ({@link InTurn}). {@link RuleBenchmark} and {@link
 * AveragingBenchmark} share it.
 */
@AuxCounters(AuxCounters.Type.EVENTS)
@State(Scope.Thread)
public class KernelNanos {
  /** What a variant's time is counted as. */
  enum Variant {
    VECTOR,
    SCALAR,
    FLOAT_ARRAY,
    LIMIT,
    LIMIT_C
  }

  public long vector;
  public long scalar;
  public long floatArray;
  public long limit;
  public long limitC;
  public long calls;

  @Setup(Level.Iteration)
  public void reset() {
    vector = scalar = floatArray = limit = limitC = calls = 0;
  }

  /** Calls {@code runs} in turn, the order rotated by the number of calls so far. */
  void inTurn(Variant[] variants, Runnable[] runs) {
    for (int position = 0; position < runs.length; position++) {
      int v = InTurn.variant(calls, position, runs.length);
      long t = InTurn.nanos(runs[v]);
      switch (variants[v]) {
        case VECTOR -> vector += t;
        case SCALAR -> scalar += t;
        case FLOAT_ARRAY -> floatArray += t;
        case LIMIT -> limit += t;
        case LIMIT_C -> limitC += t;
      }
    }
    calls++;
  }
}
