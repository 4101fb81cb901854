package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link SgdScheduleFreeKernel}'s reference: one element at a time, as the formula reads. */
final class SgdScheduleFreeScalar implements SgdScheduleFreeKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float y = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), y);
      float z0 = c.firstStep ? y : z.getAtIndex(JAVA_FLOAT, i);
      param.setAtIndex(
          JAVA_FLOAT, i, LerpScalar.lerp(y, z0, c.averageWeight) + c.gradientWeight * g);
      z.setAtIndex(JAVA_FLOAT, i, z0 - c.lr * g);
    }
  }
}
