package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * NAdam, PyTorch's {@code torch.optim.NAdam}: Adam with Nesterov momentum. With {@code g} after the
 * {@link GradientCoefficients} terms (λ2 is NAdam's weight decay unless decoupled), step t and ψ
 * the momentum decay:
 *
 * <pre>
 *   μ_t = β1·(1 − ½·0.96^(t·ψ))                    per step, in double
 *   Π_t = Π_{t−1}·μ_t,  Π_0 = 1                    per parameter, a float32 number as PyTorch's
 *   Π'  = Π_t·μ_t·μ_{t+1}                          in float32: torch 1.13's single-tensor NAdam
 *                                                  multiplies by μ_t twice here
 *   p   = (1 − η·λ)·p                              decoupled weight decay (PyTorch 2), if λ ≠ 0
 *   m   = β1·m + (1 − β1)·g
 *   v   = β2·v + (1 − β2)·g·g
 *   d   = √v · (1 / √(1 − β2^t)) + ε
 *   p   = p − (a·g + b·m) / d,   a = η·(1 − μ_t)/(1 − Π_t),  b = η·μ_{t+1}/(1 − Π')
 * </pre>
 *
 * PyTorch divides {@code v} by {@code 1 − β2^t} and subtracts the two terms with a division each;
 * multiplying by the per-step reciprocal and dividing their sum once leaves one division per
 * element, and moves results by about an ulp, far inside PyTorch's tolerance.
 */
public interface NAdamKernel {

  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count);

  /**
   * NAdam's per-step scalars: μ, bias correction and step sizes in double, rounded to float once.
   */
  final class Coefficients extends GradientCoefficients {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;
    float eps;

    /** 1 − η·λ when decoupled; 1 otherwise. */
    float decay;

    /** a: the gradient's step size. */
    float gradStep;

    /** b: the first moment's step size. */
    float expAvgStep;

    /** 1 / √(1 − β2^t). */
    float invSqrtBiasCorrection2;

    /** μ_t = β1·(1 − ½·0.96^(t·ψ)), in double as PyTorch computes it. */
    public static double mu(double beta1, double momentumDecay, long step) {
      return beta1 * (1. - 0.5 * Math.pow(0.96, step * momentumDecay));
    }

    /**
     * Π_t = Π_{t−1}·μ_t, a float32 product as PyTorch's {@code mu_product} tensor holds it.
     *
     * @param previous Π_{t−1}: 1 before the first step
     */
    public static double muProduct(double previous, double beta1, double momentumDecay, long step) {
      return (float) previous * (float) mu(beta1, momentumDecay, step);
    }

    /**
     * @param muProduct Π_t, from {@link #muProduct} for this step
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
        double momentumDecay,
        boolean decoupled,
        boolean maximize,
        long step,
        double muProduct) {
      double mu = mu(beta1, momentumDecay, step);
      double muNext = mu(beta1, momentumDecay, step + 1);
      float muProductNext = (float) muProduct * (float) mu * (float) muNext;
      setGradientTerms(maximize, decoupled ? 0 : weightDecay);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.eps = (float) eps;
      this.decay = decoupled ? (float) (1 - lr * weightDecay) : 1f;
      this.gradStep = (float) (lr * (1 - mu) / (1 - muProduct));
      this.expAvgStep = (float) (lr * muNext / (1 - muProductNext));
      this.invSqrtBiasCorrection2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
      return this;
    }
  }
}
