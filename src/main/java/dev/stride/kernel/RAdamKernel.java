package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * RAdam, PyTorch's {@code torch.optim.RAdam}: Adam with the variance of its adaptive rate
 * rectified, and no adaptive rate while that variance is intractable. With {@code g} after the
 * {@link GradientCoefficients} terms (λ2 is RAdam's weight decay unless decoupled) and step t:
 *
 * <pre>
 *   ρ∞  = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)                  per step, in double
 *   r   = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))                    if ρ_t > 5
 *   p   = (1 − η·λ)·p                    decoupled weight decay (PyTorch 2), if λ ≠ 0
 *   m   = β1·m + (1 − β1)·g
 *   v   = β2·v + (1 − β2)·g·g
 *   p   = p − (η·r·√(1 − β2^t)/(1 − β1^t))·m / (√v + ε)                      if ρ_t > 5
 *   p   = p − (η/(1 − β1^t))·m                                               otherwise
 * </pre>
 *
 * PyTorch multiplies {@code m/(1 − β1^t)}, η, √(1 − β2^t)/(√v + ε) and r one after the other;
 * folding the scalars into one step size leaves one division per element and moves results by a few
 * ulps, far inside PyTorch's tolerance.
 */
public interface RAdamKernel {

  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count);

  /** RAdam's per-step scalars: ρ_t, r and the step size in double, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;
    float eps;

    /** 1 − η·λ when decoupled; 1 otherwise. */
    float decay;

    /** The step size of whichever branch this step takes. */
    float stepSize;

    /** ρ_t > 5: the adaptive, rectified step. */
    boolean rectified;

    /**
     * @param decoupled PyTorch 2's {@code decoupled_weight_decay}: {@code p *= 1 − η·λ} instead of
     *     {@code g += λ·p}
     * @param step the step being taken, counted from 1
     */
    public Coefficients set(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean maximize,
        long step) {
      double biasCorrection1 = 1 - Math.pow(beta1, step);
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      double rhoInf = 2 / (1 - beta2) - 1;
      double rho = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
      setGradientTerms(maximize, decoupled ? 0 : weightDecay);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.eps = (float) eps;
      this.decay = decoupled ? (float) (1 - lr * weightDecay) : 1f;
      this.rectified = rho > 5;
      if (rectified) {
        double rect =
            Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
        this.stepSize = (float) (lr * rect * Math.sqrt(biasCorrection2) / biasCorrection1);
      } else {
        this.stepSize = (float) (lr / biasCorrection1);
      }
      return this;
    }
  }
}
