package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** {@link ProdigyScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class ProdigyVector implements ProdigyKernel {
  private static final ProdigyKernel TAIL = new ProdigyScalar();

  @Override
  public void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment initial,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment s,
      MemorySegment gradOut,
      MemorySegment diffOut,
      long base,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      store(g, gradOut, i - base);
      store(load(initial, i).sub(p), diffOut, i - base);
      if (c.hasMomentum) {
        store(load(expAvg, i).mul(c.beta1).add(g.mul(c.momentumScale)), expAvg, i);
      }
      store(load(expAvgSq, i).mul(c.beta2).add(g.mul(c.squareScale).mul(g)), expAvgSq, i);
      store(load(s, i).mul(c.beta3).add(g.mul(c.sScale)), s, i);
    }
    TAIL.moments(
        c,
        param,
        grad,
        initial,
        expAvg,
        expAvgSq,
        s,
        gradOut,
        diffOut,
        base,
        i,
        offset + count - i);
  }

  @Override
  public void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector den = Vectors.sqrt(load(expAvgSq, i)).add(c.dEps);
      FloatVector u = c.hasMomentum ? load(expAvg, i) : Vectors.gradient(c, load(grad, i), p);
      if (c.decays) {
        p = p.sub(p.mul(c.decay));
      }
      store(p.sub(u.div(den).mul(c.stepScale)), param, i);
    }
    TAIL.apply(c, param, grad, expAvg, expAvgSq, i, offset + count - i);
  }
}
