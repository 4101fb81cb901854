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
  public void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment direction,
      long base,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector m = load(expAvg, i).mul(c.beta1).add(g.mul(c.oneMinusBeta1));
      FloatVector v = load(expAvgSq, i).mul(c.beta2).add(g.mul(c.oneMinusBeta2).mul(g));
      store(m, expAvg, i);
      store(v, expAvgSq, i);
      FloatVector u = m.div(Vectors.sqrt(v).add(c.eps));
      store(c.decays ? u.add(p.mul(c.decay)) : u, direction, i - base);
    }
    TAIL.moments(c, param, grad, expAvg, expAvgSq, direction, base, i, offset + count - i);
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      // u as moments computed it; written out here, since a helper that takes and returns
      // vectors is boxed wherever C2 declines to inline it
      FloatVector u = load(expAvg, i).div(Vectors.sqrt(load(expAvgSq, i)).add(c.eps));
      if (c.decays) {
        u = u.add(p.mul(c.decay));
      }
      store(p.sub(u.mul(c.scaledStep)), param, i);
    }
    TAIL.apply(c, param, expAvg, expAvgSq, i, offset + count - i);
  }
}
