package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.RmspropKernel;

/**
 * RMSprop, as PyTorch's {@code torch.optim.RMSprop}: weight decay is an L2 penalty added to the
 * gradient. With {@code g = maximize ? -g : g}:
 *
 * <pre>
 *   g = g + λ·p + λ1·sign(p)                     if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   v = α·v + (1 − α)·g²
 *   a = α·a + (1 − α)·g                          if centered
 *   d = √(v − a²) + ε  if centered,  √v + ε  otherwise
 *   b = μ·b + g/d,  p = p − η·b                  if μ ≠ 0
 *   p = p − η·g/d                                otherwise
 * </pre>
 *
 * State: {@code v}, and {@code b} when μ ≠ 0 and {@code a} when centered (PyTorch's {@code
 * square_avg}, {@code momentum_buffer}, {@code grad_avg}), each starting at 0. A buffer that a
 * later change of μ or centered needs starts at 0 at that step; PyTorch, which creates them with
 * the first step's flags only, fails there instead.
 */
public final class Rmsprop extends ElementwiseOptimizer<RmspropOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<RmspropOptions> RULE =
      Rule.builder("RMSprop", RmspropOptions.class, RmspropOptions::fromPyTorch)
          .buffer("square_avg")
          .buffer("momentum_buffer", h -> h.momentum() != 0)
          .buffer("grad_avg", RmspropOptions::centered)
          .keepsStep()
          .build(Rmsprop::new);

  private static final int SQUARE_AVG = 0;
  private static final int MOMENTUM_BUFFER = 1;
  private static final int GRAD_AVG = 2;
  private final RmspropKernel kernel = kernel(RmspropKernel.class);

  public Rmsprop(RmspropOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Rmsprop(RmspropOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new RmspropKernel.Coefficients();
  }

  @Override
  void prepare(RmspropOptions h, Parameter p) {
    p.<RmspropKernel.Coefficients>coefficients()
        .set(h.lr(), h.alpha(), h.eps(), h.weightDecay(), h.momentum(), h.centered(), h.maximize());
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(),
        p.value,
        p.grad,
        p.state(SQUARE_AVG),
        p.state(MOMENTUM_BUFFER),
        p.state(GRAD_AVG),
        offset,
        count);
  }
}
