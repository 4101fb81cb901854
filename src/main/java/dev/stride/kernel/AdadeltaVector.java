package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link AdadeltaScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AdadeltaVector implements AdadeltaKernel {
  private static final AdadeltaKernel TAIL = new AdadeltaScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment accDelta,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector v = load(squareAvg, i).mul(c.rho).add(g.mul(c.oneMinusRho).mul(g));
      store(v, squareAvg, i);
      FloatVector u = load(accDelta, i);
      FloatVector delta = Vectors.sqrt(u.add(c.eps).div(v.add(c.eps))).mul(g);
      store(u.mul(c.rho).add(delta.mul(c.oneMinusRho).mul(delta)), accDelta, i);
      store(p.sub(delta.mul(c.lr)), param, i);
    }
    TAIL.update(c, param, grad, squareAvg, accDelta, i, offset + count - i);
  }
}
