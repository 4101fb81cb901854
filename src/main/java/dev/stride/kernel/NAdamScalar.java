package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link NAdamKernel}'s reference: one element at a time, as the formula reads. */
final class NAdamScalar implements NAdamKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      if (c.decay != 1) {
        p = c.decay * p;
      }
      float m = c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta1 * g;
      float v = c.beta2 * expAvgSq.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta2 * g * g;
      expAvg.setAtIndex(JAVA_FLOAT, i, m);
      expAvgSq.setAtIndex(JAVA_FLOAT, i, v);
      float denom = (float) Math.sqrt(v) * c.invSqrtBiasCorrection2 + c.eps;
      param.setAtIndex(JAVA_FLOAT, i, p - (c.gradStep * g + c.expAvgStep * m) / denom);
    }
  }
}
