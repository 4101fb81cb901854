package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * RMSprop, PyTorch's {@code torch.optim.RMSprop}. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is RMSprop's weight decay):
 *
 * <pre>
 *   v = α·v + (1 − α)·g·g
 *   a = α·a + (1 − α)·g                    if centered
 *   d = √(v − a·a) + ε   if centered,  √v + ε  otherwise
 *   b = μ·b + g / d,  p = p − η·b          if μ ≠ 0
 *   p = p − η·g / d                        otherwise
 * </pre>
 *
 * One square root and one division per element. No per-step factor sits under either, so no rewrite
 * of the formula removes one.
 */
public interface RmspropKernel {

  /**
   * @param squareAvg {@code v}
   * @param momentumBuffer {@code b}; not read or written when μ = 0
   * @param gradAvg {@code a}; not read or written unless centered
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment momentumBuffer,
      MemorySegment gradAvg,
      long offset,
      long count);

  /** RMSprop's per-step scalars, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float alpha;
    float oneMinusAlpha;
    float eps;
    float momentum;
    boolean centered;

    public Coefficients set(
        double lr,
        double alpha,
        double eps,
        double weightDecay,
        double momentum,
        boolean centered,
        boolean maximize) {
      setGradientTerms(maximize, weightDecay);
      this.lr = (float) lr;
      this.alpha = (float) alpha;
      this.oneMinusAlpha = (float) (1 - alpha);
      this.eps = (float) eps;
      this.momentum = (float) momentum;
      this.centered = centered;
      return this;
    }
  }
}
