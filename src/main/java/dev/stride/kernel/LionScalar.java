package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link LionKernel}'s reference: one element at a time, as the formula reads. */
final class LionScalar implements LionKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      if (c.decay != 1) {
        p = c.decay * p;
      }
      float m = expAvg.getAtIndex(JAVA_FLOAT, i);
      float update = c.beta1 * m + c.oneMinusBeta1 * g;
      param.setAtIndex(JAVA_FLOAT, i, p - c.lr * sign(update));
      expAvg.setAtIndex(JAVA_FLOAT, i, c.beta2 * m + c.oneMinusBeta2 * g);
    }
  }

  /** torch.sign: ±1, and +0 where x is ±0 or NaN (unlike {@link Math#signum}). */
  static float sign(float x) {
    return x > 0 ? 1f : x < 0 ? -1f : 0f;
  }
}
