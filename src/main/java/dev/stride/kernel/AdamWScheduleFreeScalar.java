package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AdamWScheduleFreeKernel}'s reference: one element at a time, as the formula reads. */
final class AdamWScheduleFreeScalar implements AdamWScheduleFreeKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      MemorySegment expAvgSq,
      MemorySegment expAvg,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float y = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), y);
      float v = c.beta2 * expAvgSq.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta2 * (g * g);
      expAvgSq.setAtIndex(JAVA_FLOAT, i, v);
      float s = (float) Math.sqrt(v) * c.invSqrtBiasCorrection2 + c.eps;
      float u = g;
      if (c.innerMomentum) {
        float m = c.momentum * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusMomentum * g;
        expAvg.setAtIndex(JAVA_FLOAT, i, m);
        u = m * c.invBiasCorrection1;
      }
      float z0 = c.firstStep ? y : z.getAtIndex(JAVA_FLOAT, i);
      float d = u / s;
      if (c.decay != 0) {
        d = d + c.decay * (c.decayAtZ ? z0 : y);
      }
      param.setAtIndex(
          JAVA_FLOAT, i, LerpScalar.lerp(y, z0, c.averageWeight) + c.gradientWeight * d);
      z.setAtIndex(JAVA_FLOAT, i, z0 - c.lr * d);
    }
  }
}
