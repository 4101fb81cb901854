package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AdagradKernel}'s reference: one element at a time, as the formula reads. */
final class AdagradScalar implements AdagradKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment sum,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float s = sum.getAtIndex(JAVA_FLOAT, i) + g * g;
      sum.setAtIndex(JAVA_FLOAT, i, s);
      float std = (float) Math.sqrt(s) + c.eps;
      param.setAtIndex(JAVA_FLOAT, i, p - c.clr * g / std);
    }
  }
}
