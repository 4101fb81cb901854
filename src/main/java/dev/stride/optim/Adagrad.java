package dev.stride.optim;

import dev.stride.kernel.AdagradKernel;
import dev.stride.kernel.GradientCoefficients;

/**
 * Adagrad, as PyTorch's {@code torch.optim.Adagrad}: weight decay is an L2 penalty added to the
 * gradient. With {@code g = maximize ? -g : g} and t the parameter's step, from 1:
 *
 * <pre>
 *   g  = g + λ·p + λ1·sign(p)                      if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   s  = s + g²                                     s starts at s0 (initial_accumulator_value)
 *   p  = p − η/(1 + (t − 1)·δ) · g / (√s + ε)
 * </pre>
 *
 * State: the sum of squares {@code s} (PyTorch's {@code sum}), filled with s0 when a parameter's
 * first step allocates it; PyTorch fills it when the optimizer is built, which is the same unless
 * the group's s0 changes in between. With ε = 0, as PyTorch's, an element whose gradients have all
 * been 0 becomes NaN (0/0).
 */
public final class Adagrad extends ElementwiseOptimizer<AdagradOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdagradOptions> RULE =
      Rule.builder("Adagrad", AdagradOptions.class, AdagradOptions::fromPyTorch)
          .filledBuffer("sum", AdagradOptions::initialAccumulatorValue)
          .keepsStep()
          .build(Adagrad::new);

  private static final int SUM = 0;
  private final AdagradKernel kernel = kernel(AdagradKernel.class);

  public Adagrad(AdagradOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Adagrad(AdagradOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new AdagradKernel.Coefficients();
  }

  @Override
  void prepare(AdagradOptions h, Parameter p) {
    p.<AdagradKernel.Coefficients>coefficients()
        .set(h.lr(), h.lrDecay(), h.eps(), h.weightDecay(), h.maximize(), p.step + 1);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(SUM), offset, count);
  }
}
