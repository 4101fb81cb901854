package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link AveragingScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AveragingVector implements AveragingKernel {
  private static final AveragingKernel TAIL = new AveragingScalar();

  @Override
  public void update(
      Coefficients c, MemorySegment average, MemorySegment param, long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      if (c.copy) {
        store(p, average, i);
      } else {
        FloatVector a = load(average, i);
        store(
            c.mean ? a.add(p.sub(a).div(c.count)) : a.mul(c.decay).add(p.mul(c.oneMinusDecay)),
            average,
            i);
      }
    }
    TAIL.update(c, average, param, i, offset + count - i);
  }
}
