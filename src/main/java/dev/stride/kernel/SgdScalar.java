package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link SgdKernel}'s reference: one element at a time, as the formula reads. */
final class SgdScalar implements SgdKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment momentumBuffer,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      if (c.momentum != 0) {
        float b =
            c.firstStep
                ? g
                : c.momentum * momentumBuffer.getAtIndex(JAVA_FLOAT, i) + c.oneMinusDampening * g;
        momentumBuffer.setAtIndex(JAVA_FLOAT, i, b);
        g = c.nesterov ? g + c.momentum * b : b;
      }
      param.setAtIndex(JAVA_FLOAT, i, p - c.lr * g);
    }
  }
}
