package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adamax, PyTorch's {@code torch.optim.Adamax}. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is Adamax's weight decay) and step t:
 *
 * <pre>
 *   m = β1·m + (1 − β1)·g
 *   u = max(β2·u, |g| + ε)                  NaN if either is (PyTorch's amax)
 *   p = p − (η / (1 − β1^t))·m / u
 * </pre>
 *
 * One division per element and no square root; the division is by a per-element value, so no
 * rewrite removes it.
 */
public interface AdamaxKernel {

  /**
   * @param expAvg {@code m}
   * @param expInf {@code u}, PyTorch's {@code exp_inf}
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expInf,
      long offset,
      long count);

  /** Adamax's per-step scalars: the bias-corrected step size in double, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float eps;

    /** η / (1 − β1^t). */
    float stepSize;

    /**
     * @param step the step being taken, counted from 1
     */
    public Coefficients set(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean maximize,
        long step) {
      setGradientTerms(maximize, weightDecay);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.eps = (float) eps;
      this.stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
      return this;
    }
  }
}
