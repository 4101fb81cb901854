package dev.stride.optim;

/**
 * How a step clips gradients, with PyTorch's semantics: by the global norm of all the clipped
 * gradients ({@code clip_grad_norm_}) or elementwise by value ({@code clip_grad_value_}). Set on an
 * optimizer with {@link Optimizer#setClipping}; the factor or the clamp is applied inside the
 * rule's kernel, so the step reads each gradient once more at most (for the norm) and never
 * rewrites it. {@link GradientClipping} rewrites gradients in place instead.
 */
public sealed interface Clipping {

  /**
   * Every clipped gradient is multiplied by {@code min(1, maxNorm / (total + 1e-6))}, where {@code
   * total} is the {@code normType}-norm of all of them together (the largest |g| for {@code
   * normType} = ∞).
   *
   * @param errorIfNonfinite refuse the step, changing nothing, when the total is NaN or infinite
   */
  record ByNorm(double maxNorm, double normType, boolean errorIfNonfinite) implements Clipping {
    /**
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code normType}
     *     is not > 0 (∞ is allowed)
     */
    public ByNorm {
      if (!(maxNorm >= 0)) {
        throw new IllegalArgumentException("maxNorm must be >= 0, got " + maxNorm);
      }
      if (!(normType > 0)) {
        throw new IllegalArgumentException("normType must be > 0 (or infinity), got " + normType);
      }
    }

    /** The factor every clipped gradient is multiplied by, as PyTorch computes it in float32. */
    float factor(double total) {
      float coefficient = (float) maxNorm / ((float) total + 1e-6f);
      return Math.min(coefficient, 1f);
    }
  }

  /** Every gradient element is clamped to [−clipValue, clipValue]. */
  record ByValue(double clipValue) implements Clipping {
    /**
     * @throws IllegalArgumentException if {@code clipValue} is negative or NaN
     */
    public ByValue {
      if (!(clipValue >= 0)) {
        throw new IllegalArgumentException("clipValue must be >= 0, got " + clipValue);
      }
    }
  }

  /** By the 2-norm, as {@code clip_grad_norm_(parameters, maxNorm)}. */
  static ByNorm byNorm(double maxNorm) {
    return new ByNorm(maxNorm, 2, false);
  }

  /** By the {@code normType}-norm; {@code Double.POSITIVE_INFINITY} for the largest |g|. */
  static ByNorm byNorm(double maxNorm, double normType) {
    return new ByNorm(maxNorm, normType, false);
  }

  static ByValue byValue(double clipValue) {
    return new ByValue(clipValue);
  }
}
