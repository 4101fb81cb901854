package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link AdamaxScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AdamaxVector implements AdamaxKernel {
  private static final AdamaxKernel TAIL = new AdamaxScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expInf,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector m = load(expAvg, i).mul(c.beta1).add(g.mul(c.oneMinusBeta1));
      FloatVector u = load(expInf, i).mul(c.beta2).max(g.abs().add(c.eps));
      store(m, expAvg, i);
      store(u, expInf, i);
      store(p.sub(m.mul(c.stepSize).div(u)), param, i);
    }
    TAIL.update(c, param, grad, expAvg, expInf, i, offset + count - i);
  }
}
