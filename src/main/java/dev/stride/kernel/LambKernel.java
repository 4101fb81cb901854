package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * LAMB, as jettify's {@code torch_optimizer.Lamb} (which agrees with the first PyTorch LAMB). With
 * {@code g} after the {@link GradientCoefficients} terms (no L2 there: LAMB's weight decay is in
 * the update) and t the tensor's step:
 *
 * <pre>
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g·g
 *   u = m / (√v + ε) + λ·p                                  (the update direction)
 *   trust = min(‖p‖, clamp) / ‖u‖, or 1 if either norm is 0 or adam   (per tensor, float32)
 *   s = η · (debias ? √(1 − β2^t) / (1 − β1^t) : 1)        (double)
 *   p = p − fl32(s·trust)·u
 * </pre>
 *
 * Two passes, since the trust ratio needs both norms of the whole tensor: {@link #moments} updates
 * m and v and writes u for the norms, {@link #apply} recomputes u from m, v and p (so no buffer of
 * u is kept) and updates p. Bytes per element: 24 (read p, g, m, v; write m, v), then 16 (read p,
 * m, v; write p).
 */
public interface LambKernel {

  /**
   * m and v, and u written to {@code direction}: element {@code i} of the tensor goes to element
   * {@code i − base} of {@code direction} (a chunk's scratch, with {@code base} the chunk's start).
   */
  void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment direction,
      long base,
      long offset,
      long count);

  /** p = p − fl32(s·trust)·u, u recomputed from m, v and p as {@link #moments} computed it. */
  void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count);

  /** LAMB's per-step scalars, and the tensor's step size once the trust ratio is known. */
  final class Coefficients extends GradientCoefficients {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;
    float eps;
    float decay;
    boolean decays;

    /** s, in double: multiplied by the trust ratio before it is rounded. */
    double stepSize;

    /** fl32(s·trust): set by {@link #setTrust} between the passes. */
    float scaledStep;

    /**
     * @param step the step being taken, counted from 1
     */
    public Coefficients set(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean debias,
        long step) {
      setGradientTerms(false, 0);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.eps = (float) eps;
      this.decay = (float) weightDecay;
      this.decays = weightDecay != 0;
      this.stepSize =
          debias ? lr * (Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step))) : lr;
      return this;
    }

    /**
     * The trust ratio from the tensor's norms, as the reference computes it in float32.
     *
     * @param paramNorm ‖p‖, already clamped
     * @param adam LAMB's {@code adam} switch: a trust ratio of 1
     */
    public Coefficients setTrust(float paramNorm, float directionNorm, boolean adam) {
      float trust = adam || paramNorm == 0 || directionNorm == 0 ? 1 : paramNorm / directionNorm;
      this.scaledStep = (float) (stepSize * trust);
      return this;
    }
  }
}
