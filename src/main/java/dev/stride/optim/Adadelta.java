package dev.stride.optim;

import dev.stride.kernel.AdadeltaKernel;
import dev.stride.kernel.GradientCoefficients;

/**
 * Adadelta, as PyTorch's {@code torch.optim.Adadelta}: weight decay is an L2 penalty added to the
 * gradient, and η scales the step Adadelta computes (PyTorch's default η = 1 is the paper's rule).
 * With {@code g = maximize ? -g : g}:
 *
 * <pre>
 *   g = g + λ·p + λ1·sign(p)                     if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   v = ρ·v + (1 − ρ)·g²
 *   Δ = √(u + ε) / √(v + ε) · g                  (the kernel takes one square root of the quotient)
 *   u = ρ·u + (1 − ρ)·Δ²
 *   p = p − η·Δ
 * </pre>
 *
 * State: {@code v} and {@code u} (PyTorch's {@code square_avg} and {@code acc_delta}), starting at
 * 0.
 */
public final class Adadelta extends ElementwiseOptimizer<AdadeltaOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdadeltaOptions> RULE =
      Rule.builder("Adadelta", AdadeltaOptions.class, AdadeltaOptions::fromPyTorch)
          .buffer("square_avg")
          .buffer("acc_delta")
          .keepsStep()
          .build(Adadelta::new);

  private static final int SQUARE_AVG = 0;
  private static final int ACC_DELTA = 1;
  private final AdadeltaKernel kernel = kernel(AdadeltaKernel.class);

  public Adadelta(AdadeltaOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Adadelta(AdadeltaOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new AdadeltaKernel.Coefficients();
  }

  @Override
  void prepare(AdadeltaOptions h, Parameter p) {
    p.<AdadeltaKernel.Coefficients>coefficients()
        .set(h.lr(), h.rho(), h.eps(), h.weightDecay(), h.maximize());
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(), p.value, p.grad, p.state(SQUARE_AVG), p.state(ACC_DELTA), offset, count);
  }
}
