package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link AdamWScheduleFreeScalar}'s operations in its order, a vector at a time; the tail goes to
 * it.
 */
final class AdamWScheduleFreeVector implements AdamWScheduleFreeKernel {
  private static final AdamWScheduleFreeKernel TAIL = new AdamWScheduleFreeScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      MemorySegment expAvgSq,
      MemorySegment expAvg,
      long offset,
      long count) {
    VectorMask<Float> firstStep = F.maskAll(c.firstStep); // see Vectors: no load under a branch
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector y = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), y);
      FloatVector v = load(expAvgSq, i).mul(c.beta2).add(g.mul(g).mul(c.oneMinusBeta2));
      store(v, expAvgSq, i);
      FloatVector s = Vectors.sqrt(v).mul(c.invSqrtBiasCorrection2).add(c.eps);
      FloatVector u = g;
      if (c.innerMomentum) {
        FloatVector m = load(expAvg, i).mul(c.momentum).add(g.mul(c.oneMinusMomentum));
        store(m, expAvg, i);
        u = m.mul(c.invBiasCorrection1);
      }
      FloatVector z0 = load(z, i).blend(y, firstStep); // z is fresh on the first step: dropped
      FloatVector d = u.div(s);
      if (c.decay != 0) {
        d = d.add((c.decayAtZ ? z0 : y).mul(c.decay));
      }
      store(Vectors.lerp(y, z0, c.averageWeight).add(d.mul(c.gradientWeight)), param, i);
      store(z0.sub(d.mul(c.lr)), z, i);
    }
    TAIL.update(c, param, grad, z, expAvgSq, expAvg, i, offset + count - i);
  }
}
