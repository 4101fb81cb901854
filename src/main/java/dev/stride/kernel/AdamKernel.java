package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adam and AdamW, PyTorch's {@code torch.optim.Adam} and {@code AdamW}. With {@code g} after the
 * {@link GradientCoefficients} terms (λ2 is Adam's weight decay, 0 for AdamW) and step t:
 *
 * <pre>
 *   p   = (1 − η·λ)·p                   AdamW (decoupled weight decay), if λ ≠ 0
 *   m   = β1·m + (1 − β1)·g
 *   v   = β2·v + (1 − β2)·g·g
 *   v̂   = amsgrad ? (vmax = max(vmax, v)) : v
 *   p   = p − (η / (1 − β1^t))·m / (√v̂ · (1 / √(1 − β2^t)) + ε)
 * </pre>
 *
 * Multiplying by the per-step reciprocal of {@code √(1 − β2^t)} where PyTorch divides by it leaves
 * one division per element, which is what bounds this rule in cache; it moves results by about an
 * ulp, far inside PyTorch's tolerance.
 */
public interface AdamKernel {

  /**
   * @param maxExpAvgSq {@code vmax}; not read or written unless amsgrad
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment maxExpAvgSq,
      long offset,
      long count);

  /**
   * Adam's per-step scalars: bias corrections and step size in double, rounded to float once.
   * {@link AdamLowBitKernel.Coefficients} adds those of the low-precision references, so that one
   * object per parameter serves whichever kernel its group's state precision picks.
   */
  class Coefficients extends GradientCoefficients {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;
    float eps;

    /** 1 − η·λ for AdamW; 1 for Adam. */
    float decay;

    /** η / (1 − β1^t). */
    float stepSize;

    /** 1 / √(1 − β2^t). */
    float invSqrtBiasCorrection2;

    boolean amsgrad;

    /**
     * @param decoupled AdamW's decay {@code p *= 1 − η·λ} instead of Adam's {@code g += λ·p}
     * @param step the step being taken, counted from 1
     */
    public Coefficients set(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean amsgrad,
        boolean maximize,
        long step) {
      double biasCorrection1 = 1 - Math.pow(beta1, step);
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      setGradientTerms(maximize, decoupled ? 0 : weightDecay);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.eps = (float) eps;
      this.decay = decoupled ? (float) (1 - lr * weightDecay) : 1f;
      this.stepSize = (float) (lr / biasCorrection1);
      this.invSqrtBiasCorrection2 = (float) (1 / Math.sqrt(biasCorrection2));
      this.amsgrad = amsgrad;
      return this;
    }
  }
}
