package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link RpropKernel}'s reference: one element at a time, as the formula reads. */
final class RpropScalar implements RpropKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment prev,
      MemorySegment stepSize,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float agreement = g * prev.getAtIndex(JAVA_FLOAT, i);
      float f = agreement > 0 ? c.etaPlus : agreement < 0 ? c.etaMinus : 1;
      float step =
          Math.min(Math.max(stepSize.getAtIndex(JAVA_FLOAT, i) * f, c.stepSizeMin), c.stepSizeMax);
      if (agreement < 0) {
        g = 0;
      }
      stepSize.setAtIndex(JAVA_FLOAT, i, step);
      param.setAtIndex(JAVA_FLOAT, i, p - sign(g) * step);
      prev.setAtIndex(JAVA_FLOAT, i, g);
    }
  }

  /** PyTorch's sign: ±1, and 0 for ±0 and NaN (where {@link Math#signum} keeps the NaN). */
  private static float sign(float x) {
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  }
}
