package dev.stride.optim;

import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.GradientCoefficients;

/**
 * Adam, as PyTorch's {@code torch.optim.Adam}: weight decay is an L2 penalty added to the gradient.
 * With {@code g = maximize ? -g : g} and t the parameter's step, from 1:
 *
 * <pre>
 *   g  = g + λ·p + λ1·sign(p)                      if λ ≠ 0, λ1 ≠ 0 (λ1: the group's L1)
 *   m  = β1·m + (1 − β1)·g
 *   v  = β2·v + (1 − β2)·g²
 *   v̂  = amsgrad ? (vmax = max(vmax, v)) : v
 *   p  = p − η/(1 − β1^t) · m / (√v̂ / √(1 − β2^t) + ε)
 * </pre>
 *
 * State: {@code m}, {@code v} and, with amsgrad, {@code vmax} (PyTorch's {@code exp_avg}, {@code
 * exp_avg_sq}, {@code max_exp_avg_sq}). {@link AdamW} is the same rule with decoupled weight decay.
 */
public sealed class Adam extends ElementwiseOptimizer<AdamOptions> permits AdamW {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdamOptions> RULE = rule("Adam", AdamOptions.ADAM_DEFAULTS, Adam::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_AVG_SQ = 1;
  private static final int MAX_EXP_AVG_SQ = 2;
  private final AdamKernel kernel = kernel(AdamKernel.class);
  private final boolean decoupled;

  public Adam(AdamOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Adam(AdamOptions hyperparameters, Kernels kernels) {
    this(RULE, hyperparameters, kernels);
  }

  Adam(Rule<AdamOptions> rule, AdamOptions hyperparameters, Kernels kernels) {
    super(rule, hyperparameters, kernels);
    this.decoupled = rule == AdamW.RULE;
  }

  /** Adam's and AdamW's rule, which differ in name and defaults alone. */
  static Rule<AdamOptions> rule(
      String name,
      AdamOptions defaults,
      java.util.function.BiFunction<AdamOptions, Kernels, Adam> factory) {
    return Rule.builder(
            name, AdamOptions.class, kwargs -> AdamOptions.fromPyTorch(kwargs, defaults))
        .buffer("exp_avg")
        .buffer("exp_avg_sq")
        .buffer("max_exp_avg_sq", AdamOptions::amsgrad)
        .keepsStep()
        .build(factory);
  }

  @Override
  final GradientCoefficients newCoefficients() {
    return new AdamKernel.Coefficients();
  }

  @Override
  final void prepare(AdamOptions h, Parameter p) {
    p.<AdamKernel.Coefficients>coefficients()
        .set(
            h.lr(),
            h.beta1(),
            h.beta2(),
            h.eps(),
            h.weightDecay(),
            decoupled,
            h.amsgrad(),
            h.maximize(),
            p.step + 1);
  }

  @Override
  final void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(),
        p.value,
        p.grad,
        p.state(EXP_AVG),
        p.state(EXP_AVG_SQ),
        p.state(MAX_EXP_AVG_SQ),
        offset,
        count);
  }
}
