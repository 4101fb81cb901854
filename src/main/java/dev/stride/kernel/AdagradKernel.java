package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adagrad, PyTorch's {@code torch.optim.Adagrad}. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is Adagrad's weight decay) and step t:
 *
 * <pre>
 *   s = s + g·g
 *   p = p − η_t·g / (√s + ε)        η_t = η / (1 + (t − 1)·δ)   (δ: lr_decay)
 * </pre>
 *
 * One square root and one division per element. No per-step factor sits under either, so no rewrite
 * of the formula removes one.
 */
public interface AdagradKernel {

  /**
   * @param sum {@code s}, PyTorch's {@code sum}, which starts at initial_accumulator_value
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment sum,
      long offset,
      long count);

  /** Adagrad's per-step scalars: the decayed rate in double, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    /** η_t. */
    float clr;

    float eps;

    /**
     * @param step the step being taken, counted from 1
     */
    public Coefficients set(
        double lr, double lrDecay, double eps, double weightDecay, boolean maximize, long step) {
      setGradientTerms(maximize, weightDecay);
      this.clr = (float) (lr / (1 + (step - 1) * lrDecay));
      this.eps = (float) eps;
      return this;
    }
  }
}
