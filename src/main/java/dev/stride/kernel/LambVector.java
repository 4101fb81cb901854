package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link LambScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class LambVector implements LambKernel {
  private static final LambKernel TAIL = new LambScalar();

  @Override
  public void moments(Coefficients c, MemorySegment param, MemorySegment grad,
      MemorySegment expAvg, MemorySegment expAvgSq, MemorySegment direction, long base,
      long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector m = load(expAvg, i).mul(c.beta1).add(g.mul(c.oneMinusBeta1));
      FloatVector v = load(expAvgSq, i).mul(c.beta2).add(g.mul(c.oneMinusBeta2).mul(g));
      store(m, expAvg, i);
      store(v, expAvgSq, i);
      store(direction(c, p, m, v), direction, i - base);
    }
    TAIL.moments(c, param, grad, expAvg, expAvgSq, direction, base, i, offset + count - i);
  }

  @Override
  public void apply(Coefficients c, MemorySegment param, MemorySegment expAvg,
      MemorySegment expAvgSq, long offset, long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector u = direction(c, p, load(expAvg, i), load(expAvgSq, i));
      store(p.sub(u.mul(c.scaledStep)), param, i);
    }
    TAIL.apply(c, param, expAvg, expAvgSq, i, offset + count - i);
  }

  private static FloatVector direction(Coefficients c, FloatVector p, FloatVector m, FloatVector v) {
    FloatVector u = m.div(Vectors.sqrt(v).add(c.eps));
    return c.decays ? u.add(p.mul(c.decay)) : u;
  }
}
