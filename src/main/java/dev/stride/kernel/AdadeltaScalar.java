package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AdadeltaKernel}'s reference: one element at a time, as the formula reads. */
final class AdadeltaScalar implements AdadeltaKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment accDelta,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float v = c.rho * squareAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusRho * g * g;
      squareAvg.setAtIndex(JAVA_FLOAT, i, v);
      float u = accDelta.getAtIndex(JAVA_FLOAT, i);
      float delta = (float) Math.sqrt((u + c.eps) / (v + c.eps)) * g;
      accDelta.setAtIndex(JAVA_FLOAT, i, c.rho * u + c.oneMinusRho * delta * delta);
      param.setAtIndex(JAVA_FLOAT, i, p - c.lr * delta);
    }
  }
}
