package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link SgdScheduleFreeScalar}'s operations in its order, a vector at a time; the tail goes to it.
 */
final class SgdScheduleFreeVector implements SgdScheduleFreeKernel {
  private static final SgdScheduleFreeKernel TAIL = new SgdScheduleFreeScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      long offset,
      long count) {
    VectorMask<Float> firstStep = F.maskAll(c.firstStep); // see Vectors: no load under a branch
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector y = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), y);
      FloatVector z0 = load(z, i).blend(y, firstStep); // z is fresh on the first step: dropped
      store(Vectors.lerp(y, z0, c.averageWeight).add(g.mul(c.gradientWeight)), param, i);
      store(z0.sub(g.mul(c.lr)), z, i);
    }
    TAIL.update(c, param, grad, z, i, offset + count - i);
  }
}
