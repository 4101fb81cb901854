package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.RpropKernel;

/**
 * Rprop, as PyTorch's {@code torch.optim.Rprop}: every element moves by a step size of its own,
 * against the sign of its gradient; the step size grows by η+ while that sign holds, shrinks by η−
 * when it flips, and stays in [Δmin, Δmax]. With {@code g = maximize ? -g : g} and {@code prev} the
 * previous step's {@code g}:
 *
 * <pre>
 *   g    = g + λ1·sign(p)                    λ1: the group's L1 (Rprop has no weight decay)
 *   f    = η+ if g·prev &gt; 0,  η− if g·prev &lt; 0,  else 1
 *   step = min(max(step·f, Δmin), Δmax)      step starts at lr
 *   g    = 0 where g·prev &lt; 0
 *   p    = p − sign(g)·step                  sign(0) = sign(NaN) = 0, as PyTorch's
 *   prev = g
 * </pre>
 *
 * The rate only seeds the step sizes, at a parameter's first step: a schedule on it does nothing
 * afterwards, as in PyTorch.
 *
 * <p>State: {@code prev} and {@code step_size} (PyTorch's keys).
 */
public final class Rprop extends ElementwiseOptimizer<RpropOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<RpropOptions> RULE =
      Rule.builder("Rprop", RpropOptions.class, RpropOptions::fromPyTorch)
          .buffer("prev")
          .filledBuffer("step_size", RpropOptions::lr)
          .keepsStep()
          .build(Rprop::new);

  private static final int PREV = 0;
  private static final int STEP_SIZE = 1;
  private final RpropKernel kernel = kernel(RpropKernel.class);

  public Rprop(RpropOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Rprop(RpropOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new RpropKernel.Coefficients();
  }

  @Override
  void prepare(RpropOptions h, Parameter p) {
    p.<RpropKernel.Coefficients>coefficients()
        .set(h.etaMinus(), h.etaPlus(), h.stepSizeMin(), h.stepSizeMax(), h.maximize());
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(), p.value, p.grad, p.state(PREV), p.state(STEP_SIZE), offset, count);
  }
}
