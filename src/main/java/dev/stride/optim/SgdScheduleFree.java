package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.SgdScheduleFreeKernel;

/**
 * Schedule-Free SGD, as the reference class {@code SGDScheduleFreeReference} of
 * facebookresearch/schedule_free computes it: no schedule to choose, the averaging of {@link
 * ScheduleFree} doing what a decay would. With γ, c and β (the {@code momentum}) as there and
 * {@code g} the gradient taken at y:
 *
 * <pre>
 *   g = g + λ·y + λ1·sign(y)           if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1), as the reference
 *                                      adds its weight decay to the gradient
 *   z = z − γ·g
 *   x = (1 − c)·x + c·z
 *   y = β·x + (1 − β)·z
 * </pre>
 *
 * computed in the memory-lean form {@link ScheduleFree} describes: the state is z alone (the
 * optimized {@code SGDScheduleFree}'s {@code z}), the parameters hold y while training and x in
 * eval mode. It starts in eval mode: call {@link #train()} before the first step.
 */
public final class SgdScheduleFree extends ScheduleFree<SgdScheduleFreeOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<SgdScheduleFreeOptions> RULE =
      Rule.builder(
              "SGDScheduleFree", SgdScheduleFreeOptions.class, SgdScheduleFreeOptions::fromPyTorch)
          .buffer("z")
          .groupNumbers(GROUP_NUMBERS)
          .build(SgdScheduleFree::new);

  private final SgdScheduleFreeKernel kernel = kernel(SgdScheduleFreeKernel.class);

  public SgdScheduleFree(SgdScheduleFreeOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public SgdScheduleFree(SgdScheduleFreeOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new SgdScheduleFreeKernel.Coefficients();
  }

  @Override
  void prepare(SgdScheduleFreeOptions h, Parameter p) {
    p.<SgdScheduleFreeKernel.Coefficients>coefficients()
        .set(
            groupStep.lr,
            groupStep.averageWeight,
            groupStep.gradientWeight,
            h.weightDecay(),
            p.isFresh(Z));
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(Z), offset, count);
  }
}
