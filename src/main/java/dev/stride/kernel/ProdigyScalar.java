package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link ProdigyKernel}'s reference: one element at a time, as the formula reads. */
final class ProdigyScalar implements ProdigyKernel {

  @Override
  public void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment initial,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment s,
      MemorySegment gradOut,
      MemorySegment diffOut,
      long base,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      gradOut.setAtIndex(JAVA_FLOAT, i - base, g);
      diffOut.setAtIndex(JAVA_FLOAT, i - base, initial.getAtIndex(JAVA_FLOAT, i) - p);
      if (c.hasMomentum) {
        expAvg.setAtIndex(
            JAVA_FLOAT, i, c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.momentumScale * g);
      }
      expAvgSq.setAtIndex(
          JAVA_FLOAT, i, c.beta2 * expAvgSq.getAtIndex(JAVA_FLOAT, i) + c.squareScale * g * g);
      s.setAtIndex(JAVA_FLOAT, i, c.beta3 * s.getAtIndex(JAVA_FLOAT, i) + c.sScale * g);
    }
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float den = (float) Math.sqrt(expAvgSq.getAtIndex(JAVA_FLOAT, i)) + c.dEps;
      // without momentum the step takes the gradient as the first pass saw it, before the decay
      float u =
          c.hasMomentum
              ? expAvg.getAtIndex(JAVA_FLOAT, i)
              : c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      if (c.decays) {
        p = p - c.decay * p;
      }
      param.setAtIndex(JAVA_FLOAT, i, p - c.stepScale * (u / den));
    }
  }
}
