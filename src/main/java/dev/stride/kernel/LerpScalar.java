package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link LerpKernel}'s reference: one element at a time, as the formula reads. */
final class LerpScalar implements LerpKernel {

  @Override
  public void lerp(MemorySegment self, MemorySegment end, float weight, long offset, long count) {
    for (long i = offset, stop = offset + count; i < stop; i++) {
      self.setAtIndex(
          JAVA_FLOAT,
          i,
          lerp(self.getAtIndex(JAVA_FLOAT, i), end.getAtIndex(JAVA_FLOAT, i), weight));
    }
  }

  /** a + w·(b − a): the Schedule-Free kernels' average too. */
  static float lerp(float a, float b, float weight) {
    return a + weight * (b - a);
  }
}
