package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AsgdKernel}'s reference: one element at a time, as the formula reads. */
final class AsgdScalar implements AsgdKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment ax,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      p = c.decay * p;
      p = p - c.eta * g;
      param.setAtIndex(JAVA_FLOAT, i, p);
      if (c.averaging) {
        float a = ax.getAtIndex(JAVA_FLOAT, i);
        ax.setAtIndex(JAVA_FLOAT, i, a + (p - a) * c.mu);
      } else {
        ax.setAtIndex(JAVA_FLOAT, i, p);
      }
    }
  }
}
