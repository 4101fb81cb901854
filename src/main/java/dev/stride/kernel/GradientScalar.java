package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link GradientKernel}'s reference. */
final class GradientScalar implements GradientKernel {

  @Override
  public void scale(MemorySegment grad, float s, long offset, long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      grad.setAtIndex(JAVA_FLOAT, i, grad.getAtIndex(JAVA_FLOAT, i) * s);
    }
  }

  @Override
  public void clamp(MemorySegment grad, float c, long offset, long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      grad.setAtIndex(JAVA_FLOAT, i, Math.min(Math.max(grad.getAtIndex(JAVA_FLOAT, i), -c), c));
    }
  }
}
