package dev.stride.optim;

/**
 * Norms of an optimizer's gradients or values, from {@link Optimizer#gradientNorms} or {@link
 * Optimizer#valueNorms}: per parameter and all together, the same to the bit for any number of
 * threads (per-chunk sums in double, combined in a fixed order).
 *
 * @param normType q: 2, 1, {@code Double.POSITIVE_INFINITY} (the largest |x|) or any q > 0
 * @param total the norm of every parameter together, as if concatenated
 * @param allFinite whether every element is finite (no NaN, no infinity)
 */
public record Norms(double normType, double total, double[] perParameter, boolean allFinite) {

  /** The norm of parameter {@code index} in group order: group 0's parameters first. */
  public double parameter(int index) {
    return perParameter[index];
  }
}
