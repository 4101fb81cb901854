package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link AdagradScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AdagradVector implements AdagradKernel {
  private static final AdagradKernel TAIL = new AdagradScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment sum,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector s = load(sum, i).add(g.mul(g));
      store(s, sum, i);
      FloatVector std = Vectors.sqrt(s).add(c.eps);
      store(p.sub(g.mul(c.clr).div(std)), param, i);
    }
    TAIL.update(c, param, grad, sum, i, offset + count - i);
  }
}
