package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AdamaxKernel}'s reference: one element at a time, as the formula reads. */
final class AdamaxScalar implements AdamaxKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expInf,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float m = c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta1 * g;
      float u = Math.max(c.beta2 * expInf.getAtIndex(JAVA_FLOAT, i), Math.abs(g) + c.eps);
      expAvg.setAtIndex(JAVA_FLOAT, i, m);
      expInf.setAtIndex(JAVA_FLOAT, i, u);
      param.setAtIndex(JAVA_FLOAT, i, p - c.stepSize * m / u);
    }
  }
}
