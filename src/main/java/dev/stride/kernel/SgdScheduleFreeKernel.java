package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Schedule-Free SGD in the memory-lean form: the parameters hold the gradient point y, the state
 * holds z, and the averaged point x is implied by them ({@code dev.stride.optim.SgdScheduleFree}
 * derives w and e and says why). With {@code g} after the {@link GradientCoefficients} terms (λ2 is
 * the reference's weight_decay, taken at y):
 *
 * <pre>
 *   z₀ = y                   on a parameter's first step (z starts as a copy of p), else z
 *   y  = y + w·(z₀ − y) + e·g
 *   z  = z₀ − γ·g
 * </pre>
 */
public interface SgdScheduleFreeKernel {

  /**
   * @param z the reference's {@code z}; not read on the first step
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      long offset,
      long count);

  /** The step's scalars, computed once per group in double, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float averageWeight;
    float gradientWeight;
    boolean firstStep;

    /**
     * @param lr γ, the step's rate (warmup included)
     * @param averageWeight w, how far y moves toward z
     * @param gradientWeight e, the gradient's weight in y
     * @param firstStep whether z is being created by this step
     */
    public Coefficients set(
        double lr,
        double averageWeight,
        double gradientWeight,
        double weightDecay,
        boolean firstStep) {
      setGradientTerms(false, weightDecay);
      this.lr = (float) lr;
      this.averageWeight = (float) averageWeight;
      this.gradientWeight = (float) gradientWeight;
      this.firstStep = firstStep;
      return this;
    }
  }
}
