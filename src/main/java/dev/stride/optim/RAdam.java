package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.RAdamKernel;

/**
 * RAdam, as PyTorch's {@code torch.optim.RAdam} (torch 1.13), with PyTorch 2's {@code
 * decoupled_weight_decay} and {@code maximize}. With {@code g = maximize ? -g : g} and t the
 * parameter's step from 1:
 *
 * <pre>
 *   g   = g + λ·p + λ1·sign(p)         λ unless decoupled; λ1: the group's L1
 *   p   = (1 − η·λ)·p                  if decoupled
 *   m   = β1·m + (1 − β1)·g
 *   v   = β2·v + (1 − β2)·g²
 *   ρ∞  = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
 *   p   = p − η·r_t · m/(1 − β1^t) · √(1 − β2^t)/(√v + ε)     if ρ_t &gt; 5,
 *           r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *   p   = p − η · m/(1 − β1^t)                                otherwise
 * </pre>
 *
 * ρ_1 = 1, so the first steps are plain momentum steps; with β2 = 0.999 the rectified step starts
 * at t = 6. State: {@code m} and {@code v} (PyTorch's {@code exp_avg}, {@code exp_avg_sq}).
 */
public final class RAdam extends ElementwiseOptimizer<RAdamOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<RAdamOptions> RULE =
      Rule.builder("RAdam", RAdamOptions.class, RAdamOptions::fromPyTorch)
          .buffer("exp_avg")
          .buffer("exp_avg_sq")
          .keepsStep()
          .build(RAdam::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_AVG_SQ = 1;
  private final RAdamKernel kernel = kernel(RAdamKernel.class);

  public RAdam(RAdamOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public RAdam(RAdamOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new RAdamKernel.Coefficients();
  }

  @Override
  void prepare(RAdamOptions h, Parameter p) {
    p.<RAdamKernel.Coefficients>coefficients()
        .set(
            h.lr(),
            h.beta1(),
            h.beta2(),
            h.eps(),
            h.weightDecay(),
            h.decoupledWeightDecay(),
            h.maximize(),
            p.step + 1);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(), p.value, p.grad, p.state(EXP_AVG), p.state(EXP_AVG_SQ), offset, count);
  }
}
