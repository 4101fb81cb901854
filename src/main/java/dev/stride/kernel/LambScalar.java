package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link LambKernel}'s reference: one element at a time, as the formula reads. */
final class LambScalar implements LambKernel {

  @Override
  public void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment direction,
      long base,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float m = c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta1 * g;
      float v = c.beta2 * expAvgSq.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta2 * g * g;
      expAvg.setAtIndex(JAVA_FLOAT, i, m);
      expAvgSq.setAtIndex(JAVA_FLOAT, i, v);
      direction.setAtIndex(JAVA_FLOAT, i - base, direction(c, p, m, v));
    }
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float u =
          direction(c, p, expAvg.getAtIndex(JAVA_FLOAT, i), expAvgSq.getAtIndex(JAVA_FLOAT, i));
      param.setAtIndex(JAVA_FLOAT, i, p - c.scaledStep * u);
    }
  }

  /** u = m / (√v + ε) + λ·p. */
  static float direction(Coefficients c, float p, float m, float v) {
    float u = m / ((float) Math.sqrt(v) + c.eps);
    return c.decays ? u + c.decay * p : u;
  }
}
