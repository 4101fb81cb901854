package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AveragingKernel}'s reference: one element at a time, as the formulas read. */
final class AveragingScalar implements AveragingKernel {

  @Override
  public void update(
      Coefficients c, MemorySegment average, MemorySegment param, long offset, long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float a = average.getAtIndex(JAVA_FLOAT, i);
      average.setAtIndex(
          JAVA_FLOAT,
          i,
          c.copy ? p : c.mean ? a + (p - a) / c.count : c.decay * a + c.oneMinusDecay * p);
    }
  }
}
