package dev.stride.kernel;

/**
 * The scalars of one SGD step: computed once per step in double, rounded to float once, and read
 * by both kernels. Mutable so that a step allocates nothing.
 */
public final class SgdCoefficients {
  float lr;
  float momentum;
  float oneMinusDampening;
  float weightDecay;
  boolean nesterov;
  boolean maximize;
  boolean firstStep;

  /**
   * @param firstStep whether the momentum buffer is being created by this step: it then takes the
   *     update direction as it is, as PyTorch's does
   */
  public SgdCoefficients set(double lr, double momentum, double dampening, double weightDecay,
      boolean nesterov, boolean maximize, boolean firstStep) {
    this.lr = (float) lr;
    this.momentum = (float) momentum;
    this.oneMinusDampening = (float) (1 - dampening);
    this.weightDecay = (float) weightDecay;
    this.nesterov = nesterov;
    this.maximize = maximize;
    this.firstStep = firstStep;
    return this;
  }
}
