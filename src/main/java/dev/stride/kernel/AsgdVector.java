package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** {@link AsgdScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AsgdVector implements AsgdKernel {
  private static final AsgdKernel TAIL = new AsgdScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment ax,
      long offset,
      long count) {
    VectorMask<Float> copies = F.maskAll(!c.averaging); // see Vectors: no load under a branch
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      p = p.mul(c.decay);
      p = p.sub(g.mul(c.eta));
      store(p, param, i);
      FloatVector a = load(ax, i);
      store(a.add(p.sub(a).mul(c.mu)).blend(p, copies), ax, i); // the average, or p while μ = 1
    }
    TAIL.update(c, param, grad, ax, i, offset + count - i);
  }
}
