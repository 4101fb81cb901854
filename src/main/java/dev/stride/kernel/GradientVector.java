package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;

/** {@link GradientScalar}'s operations a vector at a time; the tail goes to it. */
final class GradientVector implements GradientKernel {
  private static final GradientKernel TAIL = new GradientScalar();

  @Override
  public void scale(MemorySegment grad, float s, long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      store(load(grad, i).mul(s), grad, i);
    }
    TAIL.scale(grad, s, i, offset + count - i);
  }

  @Override
  public void clamp(MemorySegment grad, float c, long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      store(load(grad, i).max(-c).min(c), grad, i);
    }
    TAIL.clamp(grad, c, i, offset + count - i);
  }
}
