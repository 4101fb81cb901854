package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link RmspropScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class RmspropVector implements RmspropKernel {
  private static final RmspropKernel TAIL = new RmspropScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment momentumBuffer,
      MemorySegment gradAvg,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector v = load(squareAvg, i).mul(c.alpha).add(g.mul(c.oneMinusAlpha).mul(g));
      store(v, squareAvg, i);
      FloatVector d;
      if (c.centered) {
        FloatVector a = load(gradAvg, i).mul(c.alpha).add(g.mul(c.oneMinusAlpha));
        store(a, gradAvg, i);
        d = Vectors.sqrt(v.sub(a.mul(a))).add(c.eps);
      } else {
        d = Vectors.sqrt(v).add(c.eps);
      }
      if (c.momentum != 0) {
        FloatVector b = load(momentumBuffer, i).mul(c.momentum).add(g.div(d));
        store(b, momentumBuffer, i);
        store(p.sub(b.mul(c.lr)), param, i);
      } else {
        store(p.sub(g.mul(c.lr).div(d)), param, i);
      }
    }
    TAIL.update(c, param, grad, squareAvg, momentumBuffer, gradAvg, i, offset + count - i);
  }
}
