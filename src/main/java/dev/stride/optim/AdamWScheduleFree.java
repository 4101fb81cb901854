package dev.stride.optim;

import dev.stride.kernel.AdamWScheduleFreeKernel;
import dev.stride.kernel.GradientCoefficients;

/**
 * Schedule-Free AdamW, as the reference class {@code AdamWScheduleFreeReference} of
 * facebookresearch/schedule_free computes it. With γ, c and t as in {@link ScheduleFree}, β1 the
 * interpolation between x and z (there is no first moment unless μi ≠ 0), and {@code g} the
 * gradient taken at y plus the group's L1 term λ1·sign(y):
 *
 * <pre>
 *   z = z − γ·λ·(decayAtZ ? z : y)                  if λ ≠ 0: decay by γ only, before the step
 *   v = β2·v + (1 − β2)·g²
 *   u = g,  or  m = μi·m + (1 − μi)·g,  u = m / (1 − μi^t)       if μi ≠ 0
 *   z = z − γ·u / (√(v / (1 − β2^t)) + ε)
 *   x = (1 − c)·x + c·z
 *   y = β1·x + (1 − β1)·z
 * </pre>
 *
 * computed in the memory-lean form {@link ScheduleFree} describes, with the decay folded into the
 * step direction: d = u / (√v/√(1 − β2^t) + ε) + λ·(decayAtZ ? z : y), z = z − γ·d. Decay at z
 * stays exact algebra in that form (z is kept, and y is the parameter), so {@code decay_at_z},
 * which the repository's optimized class lacks, costs nothing extra. State: z, v and, with inner
 * momentum, m ({@code z}, {@code exp_avg_sq}, {@code exp_avg}); t is the group's step, as the
 * reference's {@code k + 1}. It starts in eval mode: call {@link #train()} before the first step.
 */
public final class AdamWScheduleFree extends ScheduleFree<AdamWScheduleFreeOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdamWScheduleFreeOptions> RULE =
      Rule.builder(
              "AdamWScheduleFree",
              AdamWScheduleFreeOptions.class,
              AdamWScheduleFreeOptions::fromPyTorch)
          .buffer("z")
          .buffer("exp_avg_sq")
          .buffer("exp_avg", h -> h.innerMomentum() != 0)
          .groupNumbers(GROUP_NUMBERS)
          .build(AdamWScheduleFree::new);

  private static final int EXP_AVG_SQ = 1;
  private static final int EXP_AVG = 2;
  private final AdamWScheduleFreeKernel kernel = kernel(AdamWScheduleFreeKernel.class);

  public AdamWScheduleFree(AdamWScheduleFreeOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public AdamWScheduleFree(AdamWScheduleFreeOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new AdamWScheduleFreeKernel.Coefficients();
  }

  @Override
  void prepare(AdamWScheduleFreeOptions h, Parameter p) {
    p.<AdamWScheduleFreeKernel.Coefficients>coefficients()
        .set(
            groupStep.lr,
            groupStep.averageWeight,
            groupStep.gradientWeight,
            h.beta2(),
            h.eps(),
            h.weightDecay(),
            h.decayAtZ(),
            h.innerMomentum(),
            groupStep.t,
            p.isFresh(Z));
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(),
        p.value,
        p.grad,
        p.state(Z),
        p.state(EXP_AVG_SQ),
        p.state(EXP_AVG),
        offset,
        count);
  }
}
