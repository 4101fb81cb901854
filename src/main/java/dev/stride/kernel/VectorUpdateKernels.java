package dev.stride.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The rules of {@link UpdateKernels} on the Vector API: the reference's operations, in its order,
 * a vector at a time, over an unmasked main loop; the remaining elements go to the reference
 * itself. Only this class imports {@code jdk.incubator.vector}; {@link Kernels} loads it by name.
 */
final class VectorUpdateKernels implements UpdateKernels {
  // A constant, not a parameter: C2 only intrinsifies vector operations whose species it can see
  // as a constant, and a kernel fed two species ran 40x slower.
  private static final VectorSpecies<Float> F = switch (Kernels.vectorBits()) {
    case 128 -> FloatVector.SPECIES_128;
    case 256 -> FloatVector.SPECIES_256;
    default -> FloatVector.SPECIES_PREFERRED;
  };
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private final UpdateKernels tail = new ScalarUpdateKernels();

  @Override
  public int lanes() {
    return F.length();
  }

  @Override
  public void sgd(SgdCoefficients c, MemorySegment param, MemorySegment grad,
      MemorySegment momentumBuffer, long offset, long count) {
    long i = offset;
    for (long bound = offset + F.loopBound(count); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      FloatVector p = FloatVector.fromMemorySegment(F, param, at, ORDER);
      FloatVector d = FloatVector.fromMemorySegment(F, grad, at, ORDER);
      if (c.maximize) {
        d = d.neg();
      }
      if (c.weightDecay != 0) {
        d = d.add(p.mul(c.weightDecay));
      }
      if (c.momentum != 0) {
        FloatVector b = c.firstStep
            ? d
            : FloatVector.fromMemorySegment(F, momentumBuffer, at, ORDER).mul(c.momentum)
                .add(d.mul(c.oneMinusDampening));
        b.intoMemorySegment(momentumBuffer, at, ORDER);
        d = c.nesterov ? d.add(b.mul(c.momentum)) : b;
      }
      p.sub(d.mul(c.lr)).intoMemorySegment(param, at, ORDER);
    }
    tail.sgd(c, param, grad, momentumBuffer, i, offset + count - i);
  }

  @Override
  public void adam(AdamCoefficients c, MemorySegment param, MemorySegment grad,
      MemorySegment expAvg, MemorySegment expAvgSq, MemorySegment maxExpAvgSq, long offset,
      long count) {
    long i = offset;
    for (long bound = offset + F.loopBound(count); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      FloatVector p = FloatVector.fromMemorySegment(F, param, at, ORDER);
      FloatVector g = FloatVector.fromMemorySegment(F, grad, at, ORDER);
      if (c.maximize) {
        g = g.neg();
      }
      if (c.decay != 1) {
        p = p.mul(c.decay);
      }
      if (c.weightDecay != 0) {
        g = g.add(p.mul(c.weightDecay));
      }
      FloatVector m = FloatVector.fromMemorySegment(F, expAvg, at, ORDER).mul(c.beta1)
          .add(g.mul(c.oneMinusBeta1));
      FloatVector v = FloatVector.fromMemorySegment(F, expAvgSq, at, ORDER).mul(c.beta2)
          .add(g.mul(c.oneMinusBeta2).mul(g));
      m.intoMemorySegment(expAvg, at, ORDER);
      v.intoMemorySegment(expAvgSq, at, ORDER);
      if (c.amsgrad) {
        v = FloatVector.fromMemorySegment(F, maxExpAvgSq, at, ORDER).max(v);
        v.intoMemorySegment(maxExpAvgSq, at, ORDER);
      }
      FloatVector denom = v.lanewise(VectorOperators.SQRT).mul(c.invSqrtBiasCorrection2).add(c.eps);
      p.sub(m.mul(c.stepSize).div(denom)).intoMemorySegment(param, at, ORDER);
    }
    tail.adam(c, param, grad, expAvg, expAvgSq, maxExpAvgSq, i, offset + count - i);
  }
}
