package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link LarsKernel}'s reference: one element at a time, as the formula reads. */
final class LarsScalar implements LarsKernel {

  @Override
  public void direction(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment direction,
      long base,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float u = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), param.getAtIndex(JAVA_FLOAT, i));
      direction.setAtIndex(JAVA_FLOAT, i - base, u);
    }
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment mu,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float u = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float m = c.momentum * mu.getAtIndex(JAVA_FLOAT, i) + c.trust * u;
      mu.setAtIndex(JAVA_FLOAT, i, m);
      param.setAtIndex(JAVA_FLOAT, i, p - c.lr * m);
    }
  }
}
