package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.SgdKernel;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximization, as PyTorch's {@code torch.optim.SGD}. With {@code d = maximize ? -g : g}:
 *
 * <pre>
 *   d = d + λ·p + λ1·sign(p)                      if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   b = d  (first step),  b = μ·b + (1 − τ)·d    if μ ≠ 0
 *   d = nesterov ? d + μ·b : b                    if μ ≠ 0
 *   p = p − η·d
 * </pre>
 *
 * State: the momentum buffer {@code b} (PyTorch's {@code momentum_buffer}), only when μ ≠ 0.
 */
public final class Sgd extends ElementwiseOptimizer<SgdOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<SgdOptions> RULE =
      Rule.builder("SGD", SgdOptions.class, SgdOptions::fromPyTorch)
          .buffer("momentum_buffer", h -> h.momentum() != 0)
          .build(Sgd::new);

  private static final int MOMENTUM_BUFFER = 0;
  private final SgdKernel kernel = kernel(SgdKernel.class);

  public Sgd(SgdOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Sgd(SgdOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new SgdKernel.Coefficients();
  }

  @Override
  void prepare(SgdOptions h, Parameter p) {
    p.<SgdKernel.Coefficients>coefficients()
        .set(
            h.lr(),
            h.momentum(),
            h.dampening(),
            h.weightDecay(),
            h.nesterov(),
            h.maximize(),
            p.isFresh(MOMENTUM_BUFFER));
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(MOMENTUM_BUFFER), offset, count);
  }
}
