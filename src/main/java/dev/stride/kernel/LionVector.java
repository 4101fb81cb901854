package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link LionScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class LionVector implements LionKernel {
  private static final LionKernel TAIL = new LionScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      if (c.decay != 1) {
        p = p.mul(c.decay);
      }
      FloatVector m = load(expAvg, i);
      FloatVector update = m.mul(c.beta1).add(g.mul(c.oneMinusBeta1));
      store(p.sub(Vectors.signOrZero(update).mul(c.lr)), param, i);
      store(m.mul(c.beta2).add(g.mul(c.oneMinusBeta2)), expAvg, i);
    }
    TAIL.update(c, param, grad, expAvg, i, offset + count - i);
  }
}
