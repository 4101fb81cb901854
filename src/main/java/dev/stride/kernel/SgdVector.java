package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** {@link SgdScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class SgdVector implements SgdKernel {
  private static final SgdKernel TAIL = new SgdScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment momentumBuffer,
      long offset,
      long count) {
    VectorMask<Float> firstStep = F.maskAll(c.firstStep); // see Vectors: no load under a branch
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      if (c.momentum != 0) {
        // the fresh buffer is read on the first step too, and its value dropped
        FloatVector b =
            load(momentumBuffer, i)
                .mul(c.momentum)
                .add(g.mul(c.oneMinusDampening))
                .blend(g, firstStep);
        store(b, momentumBuffer, i);
        g = c.nesterov ? g.add(b.mul(c.momentum)) : b;
      }
      store(p.sub(g.mul(c.lr)), param, i);
    }
    TAIL.update(c, param, grad, momentumBuffer, i, offset + count - i);
  }
}
