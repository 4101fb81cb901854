package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.LionKernel;

/**
 * Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms"), as lucidrains' {@code Lion}
 * computes it, which the paper authors' PyTorch file matches bit for bit. With {@code g} plus the
 * group's L1 term λ1·sign(p) (Lion has no L2 term and no maximize):
 *
 * <pre>
 *   p = p·(1 − η·λ)                  decay first, on the old p (the factor in double)
 *   c = β1·m + (1 − β1)·g
 *   p = p − η·sign(c)                sign(±0) = sign(NaN) = 0, as torch.sign
 *   m = β2·m + (1 − β2)·g
 * </pre>
 *
 * with λ = {@code weightDecay}, or {@code weightDecay / η0} with {@code decoupledWeightDecay},
 * where η0 is {@link #initialLr()}: the rate this optimizer was built with, the same for every
 * group and unchanged by schedules, as the reference divides by the {@code lr} its constructor was
 * given. Decoupled, the decay per step is therefore {@code weightDecay · η/η0}: {@code weightDecay}
 * itself at the initial rate, scaled down with the rate as a schedule lowers it; a group added with
 * another rate still divides by η0. Every step moves each element by exactly ±η (or not at all)
 * besides the decay, so Lion's rate is usually 3 to 10 times smaller than AdamW's.
 *
 * <p>State: {@code m} (the reference's {@code exp_avg}); the reference keeps no step count.
 */
public final class Lion extends ElementwiseOptimizer<LionOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<LionOptions> RULE =
      Rule.builder("Lion", LionOptions.class, LionOptions::fromPyTorch)
          .buffer("exp_avg")
          .build(Lion::new);

  private static final int EXP_AVG = 0;
  private final LionKernel kernel = kernel(LionKernel.class);
  private final double initialLr;

  /**
   * @throws IllegalArgumentException if {@code hyperparameters.lr()} is not above 0
   */
  public Lion(LionOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Lion(LionOptions hyperparameters, Kernels kernels) {
    super(RULE, checkInitialLr(hyperparameters), kernels);
    this.initialLr = hyperparameters.lr();
  }

  // The reference asserts it; the decoupled decay divides by it.
  private static LionOptions checkInitialLr(LionOptions hyperparameters) {
    Args.positive("lr", hyperparameters.lr());
    return hyperparameters;
  }

  /** η0, the rate this optimizer was built with, by which a decoupled weight decay is divided. */
  public double initialLr() {
    return initialLr;
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new LionKernel.Coefficients();
  }

  @Override
  void prepare(LionOptions h, Parameter p) {
    double weightDecay = h.decoupledWeightDecay() ? h.weightDecay() / initialLr : h.weightDecay();
    p.<LionKernel.Coefficients>coefficients().set(h.lr(), h.beta1(), h.beta2(), weightDecay);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(EXP_AVG), offset, count);
  }
}
