package dev.stride.optim;

/**
 * The total norm of gradients clipped with {@code errorIfNonfinite} is NaN or infinite: as
 * PyTorch's {@code clip_grad_norm_(…, error_if_nonfinite=True)}, nothing was clipped or stepped.
 */
public final class NonFiniteNormException extends ArithmeticException {
  private final double norm;

  NonFiniteNormException(double normType, double norm) {
    super(
        "the total norm of order "
            + normType
            + " of the gradients is "
            + norm
            + ", so they cannot be clipped; nothing was changed (errorIfNonfinite is set)");
    this.norm = norm;
  }

  /** The non-finite norm. */
  public double norm() {
    return norm;
  }
}
