package dev.stride.optim;

import dev.stride.kernel.AsgdKernel;
import dev.stride.kernel.GradientCoefficients;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Averaged SGD, as PyTorch's {@code torch.optim.ASGD}: SGD with a decaying rate, and an average of
 * the iterates, which is what a trainer evaluates with ({@link #average}). With {@code g = maximize
 * ? -g : g} and t the parameter's step from 1:
 *
 * <pre>
 *   g   = g + λ2·p + λ1·sign(p)          λ2: the weight decay; λ1: the group's L1
 *   p   = (1 − λ·η_t)·p                  λ: lambd
 *   p   = p − η_t·g
 *   ax  = μ_t = 1 ? p : ax + (p − ax)·μ_t
 *   η_1 = η,  η_{t+1} = η/(1 + λ·η·t)^α,   μ_1 = 1,  μ_{t+1} = 1/max(1, t − t0)
 * </pre>
 *
 * η_t and μ_t are the parameter's own, float32 numbers as PyTorch keeps them, and η in their update
 * is the group's rate at step t. {@code ax} copies {@code p} up to step t0 + 2 and is the mean of
 * the iterates since then.
 *
 * <p>State: {@code ax}, and the numbers {@code eta} η_t and {@code mu} μ_t of the next step.
 */
public final class Asgd extends ElementwiseOptimizer<AsgdOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AsgdOptions> RULE =
      Rule.builder("ASGD", AsgdOptions.class, AsgdOptions::fromPyTorch)
          .buffer("ax")
          .parameterNumbers("eta", "mu")
          .keepsStep()
          .build(Asgd::new);

  private static final int AX = 0;
  private static final int ETA = 0;
  private static final int MU = 1;
  private final AsgdKernel kernel = kernel(AsgdKernel.class);

  public Asgd(AsgdOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Asgd(AsgdOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  /**
   * The averaged parameters {@code ax} of parameter {@code index} of group {@code group}: what a
   * trainer evaluates (or exports) a model trained with ASGD with, since the average of the
   * iterates converges where the iterates themselves keep jumping about. A read-only view of the
   * optimizer's own buffer, in the parameter's layout: each step updates it in place, a {@link
   * #restore} puts it back, and it is freed by {@link #close()}. Read it between steps.
   *
   * @throws IndexOutOfBoundsException if there is no such group or parameter
   * @throws IllegalStateException if the parameter has not taken a step yet (PyTorch's {@code ax}
   *     does not exist before that either), or this optimizer is closed
   */
  public MemorySegment average(int group, int index) {
    checkOpen();
    if (group < 0 || group >= groups().size()) {
      throw new IndexOutOfBoundsException(
          "group " + group + " does not exist: this optimizer has " + groups().size() + " groups");
    }
    List<Parameter> parameters = group(group).parameters();
    if (index < 0 || index >= parameters.size()) {
      throw new IndexOutOfBoundsException(
          "parameter "
              + index
              + " of group "
              + group
              + " does not exist: the group has "
              + parameters.size()
              + " parameters");
    }
    Parameter p = parameters.get(index);
    if (!p.isAllocated(AX)) {
      throw new IllegalStateException(
          "parameter "
              + index
              + " of group "
              + group
              + " has no average yet: ASGD starts it at the parameter's first step");
    }
    return p.state(AX).asReadOnly();
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new AsgdKernel.Coefficients();
  }

  /** Sets this step's coefficients from η_t and μ_t, and keeps η_{t+1} and μ_{t+1}, as PyTorch. */
  @Override
  void prepare(AsgdOptions h, Parameter p) {
    long t = p.step + 1;
    if (p.isFresh(AX)) {
      p.numbers[ETA] = (float) h.lr();
      p.numbers[MU] = 1;
    }
    p.<AsgdKernel.Coefficients>coefficients()
        .set(h.lambd(), p.numbers[ETA], p.numbers[MU], h.weightDecay(), h.maximize());
    p.numbers[ETA] = AsgdKernel.Coefficients.nextEta(h.lr(), h.lambd(), h.alpha(), t);
    p.numbers[MU] = AsgdKernel.Coefficients.nextMu(h.t0(), t);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(AX), offset, count);
  }
}
