package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Lion, lucidrains' {@code Lion} (which the paper authors' PyTorch file matches bit for bit). With
 * {@code g} after the {@link GradientCoefficients} terms (Lion has no L2 term: λ2 = 0):
 *
 * <pre>
 *   p = (1 − η·λ)·p                 if λ ≠ 0: the decay acts on the old p, first
 *   c = β1·m + (1 − β1)·g           with the previous m
 *   p = p − η·sign(c)               sign(±0) = sign(NaN) = 0, as torch.sign
 *   m = β2·m + (1 − β2)·g
 * </pre>
 *
 * Where c is exactly 0 only the decay moves p. torch.sign gives 0 for NaN too, so a NaN in m or g
 * leaves p where the decay puts it (and m NaN from then on) instead of making p NaN.
 */
public interface LionKernel {

  /**
   * @param expAvg {@code m}
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      long offset,
      long count);

  /** Lion's per-step scalars, the decay factor in double, each rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;

    /** 1 − η·λ. */
    float decay;

    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;

    /**
     * @param weightDecay λ as the step uses it: the reference's {@code weight_decay}, already
     *     divided by the initial rate where the decay is decoupled
     */
    public Coefficients set(double lr, double beta1, double beta2, double weightDecay) {
      setGradientTerms(false, 0);
      this.lr = (float) lr;
      this.decay = (float) (1 - lr * weightDecay);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      return this;
    }
  }
}
