package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;

/** {@link LerpScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class LerpVector implements LerpKernel {
  private static final LerpKernel TAIL = new LerpScalar();

  @Override
  public void lerp(MemorySegment self, MemorySegment end, float weight, long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      store(Vectors.lerp(load(self, i), load(end, i), weight), self, i);
    }
    TAIL.lerp(self, end, weight, i, offset + count - i);
  }
}
