package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * SGD, PyTorch's {@code torch.optim.SGD}. With {@code g} after the {@link GradientCoefficients}
 * terms (λ2 is SGD's weight decay):
 *
 * <pre>
 *   b = g                          on the first step, if μ ≠ 0
 *   b = μ·b + (1 − τ)·g            on later steps, if μ ≠ 0 (τ: dampening)
 *   g = nesterov ? g + μ·b : b     if μ ≠ 0
 *   p = p − η·g
 * </pre>
 */
public interface SgdKernel {

  /**
   * @param momentumBuffer {@code b}; not read or written when μ = 0
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment momentumBuffer,
      long offset,
      long count);

  /** SGD's per-step scalars, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float momentum;
    float oneMinusDampening;
    boolean nesterov;
    boolean firstStep;

    /**
     * @param firstStep whether the momentum buffer is being created by this step: it then takes the
     *     update direction as it is, as PyTorch's does
     */
    public Coefficients set(
        double lr,
        double momentum,
        double dampening,
        double weightDecay,
        boolean nesterov,
        boolean maximize,
        boolean firstStep) {
      setGradientTerms(maximize, weightDecay);
      this.lr = (float) lr;
      this.momentum = (float) momentum;
      this.oneMinusDampening = (float) (1 - dampening);
      this.nesterov = nesterov;
      this.firstStep = firstStep;
      return this;
    }
  }
}
