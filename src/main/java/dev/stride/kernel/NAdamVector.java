package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link NAdamScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class NAdamVector implements NAdamKernel {
  private static final NAdamKernel TAIL = new NAdamScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      if (c.decay != 1) {
        p = p.mul(c.decay);
      }
      FloatVector m = load(expAvg, i).mul(c.beta1).add(g.mul(c.oneMinusBeta1));
      FloatVector v = load(expAvgSq, i).mul(c.beta2).add(g.mul(c.oneMinusBeta2).mul(g));
      store(m, expAvg, i);
      store(v, expAvgSq, i);
      FloatVector denom = Vectors.sqrt(v).mul(c.invSqrtBiasCorrection2).add(c.eps);
      store(p.sub(g.mul(c.gradStep).add(m.mul(c.expAvgStep)).div(denom)), param, i);
    }
    TAIL.update(c, param, grad, expAvg, expAvgSq, i, offset + count - i);
  }
}
