package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The reference form of each rule: one element at a time, written as the formula in
 * {@link UpdateKernels}. {@link VectorUpdateKernels} does the same operations in the same order.
 */
final class ScalarUpdateKernels implements UpdateKernels {

  @Override
  public int lanes() {
    return 1;
  }

  @Override
  public void sgd(SgdCoefficients c, MemorySegment param, MemorySegment grad,
      MemorySegment momentumBuffer, long offset, long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float d = grad.getAtIndex(JAVA_FLOAT, i);
      if (c.maximize) {
        d = -d;
      }
      if (c.weightDecay != 0) {
        d = d + c.weightDecay * p;
      }
      if (c.momentum != 0) {
        float b = c.firstStep
            ? d
            : c.momentum * momentumBuffer.getAtIndex(JAVA_FLOAT, i) + c.oneMinusDampening * d;
        momentumBuffer.setAtIndex(JAVA_FLOAT, i, b);
        d = c.nesterov ? d + c.momentum * b : b;
      }
      param.setAtIndex(JAVA_FLOAT, i, p - c.lr * d);
    }
  }

  @Override
  public void adam(AdamCoefficients c, MemorySegment param, MemorySegment grad,
      MemorySegment expAvg, MemorySegment expAvgSq, MemorySegment maxExpAvgSq, long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = grad.getAtIndex(JAVA_FLOAT, i);
      if (c.maximize) {
        g = -g;
      }
      if (c.decay != 1) {
        p = c.decay * p;
      }
      if (c.weightDecay != 0) {
        g = g + c.weightDecay * p;
      }
      float m = c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta1 * g;
      float v = c.beta2 * expAvgSq.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta2 * g * g;
      expAvg.setAtIndex(JAVA_FLOAT, i, m);
      expAvgSq.setAtIndex(JAVA_FLOAT, i, v);
      if (c.amsgrad) {
        v = Math.max(maxExpAvgSq.getAtIndex(JAVA_FLOAT, i), v);
        maxExpAvgSq.setAtIndex(JAVA_FLOAT, i, v);
      }
      float denom = (float) Math.sqrt(v) * c.invSqrtBiasCorrection2 + c.eps;
      param.setAtIndex(JAVA_FLOAT, i, p - c.stepSize * m / denom);
    }
  }
}
