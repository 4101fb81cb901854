package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link RmspropKernel}'s reference: one element at a time, as the formula reads. */
final class RmspropScalar implements RmspropKernel {

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment momentumBuffer,
      MemorySegment gradAvg,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float v = c.alpha * squareAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusAlpha * g * g;
      squareAvg.setAtIndex(JAVA_FLOAT, i, v);
      float d;
      if (c.centered) {
        float a = c.alpha * gradAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusAlpha * g;
        gradAvg.setAtIndex(JAVA_FLOAT, i, a);
        d = (float) Math.sqrt(v - a * a) + c.eps;
      } else {
        d = (float) Math.sqrt(v) + c.eps;
      }
      if (c.momentum != 0) {
        float b = c.momentum * momentumBuffer.getAtIndex(JAVA_FLOAT, i) + g / d;
        momentumBuffer.setAtIndex(JAVA_FLOAT, i, b);
        param.setAtIndex(JAVA_FLOAT, i, p - c.lr * b);
      } else {
        param.setAtIndex(JAVA_FLOAT, i, p - c.lr * g / d);
      }
    }
  }
}
