package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adadelta, PyTorch's {@code torch.optim.Adadelta}. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is Adadelta's weight decay):
 *
 * <pre>
 *   v = ρ·v + (1 − ρ)·g·g
 *   Δ = √((u + ε) / (v + ε))·g          PyTorch: √(u + ε) / √(v + ε)·g
 *   u = ρ·u + (1 − ρ)·Δ·Δ
 *   p = p − η·Δ
 * </pre>
 *
 * One square root of the quotient where PyTorch divides two square roots: one square root and one
 * division per element instead of two and one, and the divider, which does both, is what bounds
 * such rules in cache. It rounds twice where PyTorch rounds three times: within an ulp of the exact
 * value where PyTorch's form is within 2.4 (over 4M random pairs), and at most 3 ulps from
 * PyTorch's bits. It differs more only where the quotient leaves float's normal range, which
 * PyTorch's form does not: below 2^−126, which at ε = 1e-6 takes gradients above about 3e16, or
 * above 2^128, which takes accumulated updates {@code u} above about 3e32.
 */
public interface AdadeltaKernel {

  /**
   * @param squareAvg {@code v}, PyTorch's {@code square_avg}
   * @param accDelta {@code u}, PyTorch's {@code acc_delta}
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment squareAvg,
      MemorySegment accDelta,
      long offset,
      long count);

  /** Adadelta's per-step scalars, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float rho;
    float oneMinusRho;
    float eps;

    public Coefficients set(
        double lr, double rho, double eps, double weightDecay, boolean maximize) {
      setGradientTerms(maximize, weightDecay);
      this.lr = (float) lr;
      this.rho = (float) rho;
      this.oneMinusRho = (float) (1 - rho);
      this.eps = (float) eps;
      return this;
    }
  }
}
