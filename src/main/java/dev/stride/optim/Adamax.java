package dev.stride.optim;

import dev.stride.kernel.AdamaxKernel;
import dev.stride.kernel.GradientCoefficients;

/**
 * Adamax, as PyTorch's {@code torch.optim.Adamax}: Adam with the infinity norm in place of the
 * second moment; weight decay is an L2 penalty added to the gradient. With {@code g = maximize ? -g
 * : g} and t the parameter's step, from 1:
 *
 * <pre>
 *   g = g + λ·p + λ1·sign(p)                     if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   m = β1·m + (1 − β1)·g
 *   u = max(β2·u, |g| + ε)                       NaN once either is NaN, as PyTorch's amax
 *   p = p − η/(1 − β1^t) · m/u
 * </pre>
 *
 * State: {@code m} and {@code u} (PyTorch's {@code exp_avg} and {@code exp_inf}), starting at 0. ε
 * sits inside the max, not added to the denominator: with ε = 0 an element whose gradients have all
 * been 0 becomes NaN (0/0), as in PyTorch.
 */
public final class Adamax extends ElementwiseOptimizer<AdamaxOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdamaxOptions> RULE =
      Rule.builder("Adamax", AdamaxOptions.class, AdamaxOptions::fromPyTorch)
          .buffer("exp_avg")
          .buffer("exp_inf")
          .keepsStep()
          .build(Adamax::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_INF = 1;
  private final AdamaxKernel kernel = kernel(AdamaxKernel.class);

  public Adamax(AdamaxOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Adamax(AdamaxOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new AdamaxKernel.Coefficients();
  }

  @Override
  void prepare(AdamaxOptions h, Parameter p) {
    p.<AdamaxKernel.Coefficients>coefficients()
        .set(h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.maximize(), p.step + 1);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(), p.value, p.grad, p.state(EXP_AVG), p.state(EXP_INF), offset, count);
  }
}
