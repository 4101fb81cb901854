package dev.stride.kernel;

/**
 * The scalars of one Adam or AdamW step: bias corrections and step size computed once per step in
 * double, rounded to float once, and read by both kernels. Mutable so that a step allocates
 * nothing.
 */
public final class AdamCoefficients {
  float beta1;
  float oneMinusBeta1;
  float beta2;
  float oneMinusBeta2;
  float eps;
  /** λ for Adam's L2 penalty; 0 for AdamW. */
  float weightDecay;
  /** 1 − η·λ for AdamW; 1 for Adam. */
  float decay;
  /** η / (1 − β1^t). */
  float stepSize;
  /** 1 / √(1 − β2^t). */
  float invSqrtBiasCorrection2;
  boolean amsgrad;
  boolean maximize;

  /**
   * @param decoupled AdamW's decay {@code p *= 1 − η·λ} instead of Adam's {@code g += λ·p}
   * @param step the step being taken, counted from 1
   */
  public AdamCoefficients set(double lr, double beta1, double beta2, double eps, double weightDecay,
      boolean decoupled, boolean amsgrad, boolean maximize, long step) {
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    this.beta1 = (float) beta1;
    this.oneMinusBeta1 = (float) (1 - beta1);
    this.beta2 = (float) beta2;
    this.oneMinusBeta2 = (float) (1 - beta2);
    this.eps = (float) eps;
    this.weightDecay = decoupled ? 0f : (float) weightDecay;
    this.decay = decoupled ? (float) (1 - lr * weightDecay) : 1f;
    this.stepSize = (float) (lr / biasCorrection1);
    this.invSqrtBiasCorrection2 = (float) (1 / Math.sqrt(biasCorrection2));
    this.amsgrad = amsgrad;
    this.maximize = maximize;
    return this;
  }
}
