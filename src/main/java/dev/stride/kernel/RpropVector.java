package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.ONE;
import static dev.stride.kernel.Vectors.ZERO;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** {@link RpropScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class RpropVector implements RpropKernel {
  private static final RpropKernel TAIL = new RpropScalar();

  @Override
  public void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment prev,
      MemorySegment stepSize,
      long offset,
      long count) {
    FloatVector etaPlus = FloatVector.broadcast(F, c.etaPlus);
    FloatVector etaMinus = FloatVector.broadcast(F, c.etaMinus);
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector agreement = g.mul(load(prev, i));
      VectorMask<Float> flipped = agreement.compare(VectorOperators.LT, 0f);
      FloatVector f =
          ONE.blend(etaPlus, agreement.compare(VectorOperators.GT, 0f)).blend(etaMinus, flipped);
      FloatVector step = load(stepSize, i).mul(f).max(c.stepSizeMin).min(c.stepSizeMax);
      g = g.blend(ZERO, flipped);
      store(step, stepSize, i);
      store(p.sub(Vectors.sign(g, ZERO).mul(step)), param, i);
      store(g, prev, i);
    }
    TAIL.update(c, param, grad, prev, stepSize, i, offset + count - i);
  }
}
