package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link LarsScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class LarsVector implements LarsKernel {
  private static final LarsKernel TAIL = new LarsScalar();

  @Override
  public void direction(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment direction,
      long base,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      store(Vectors.gradient(c, load(grad, i), load(param, i)), direction, i - base);
    }
    TAIL.direction(c, param, grad, direction, base, i, offset + count - i);
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment mu,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector u = Vectors.gradient(c, load(grad, i), p);
      FloatVector m = load(mu, i).mul(c.momentum).add(u.mul(c.trust));
      store(m, mu, i);
      store(p.sub(m.mul(c.lr)), param, i);
    }
    TAIL.apply(c, param, grad, mu, i, offset + count - i);
  }
}
