package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.LambKernel;
import java.lang.foreign.MemorySegment;

/**
 * LAMB, the layer-wise adaptive rule for large batches, as jettify's {@code torch_optimizer.Lamb}
 * (see FORMAT.md for how it differs from the paper). With t the tensor's step, from 1, and g plus
 * the group's L1 term λ1·sign(p):
 *
 * <pre>
 *   m = β1·m + (1 − β1)·g,   v = β2·v + (1 − β2)·g²
 *   u = m / (√v + ε) + λ·p
 *   trust = min(‖p‖, clamp) / ‖u‖   (1 if either is 0, or with adam)
 *   p = p − η·(debias ? √(1 − β2^t) / (1 − β1^t) : 1)·trust·u
 * </pre>
 *
 * Norms are per tensor and the same for any number of threads. A step makes two passes: one updates
 * m and v and sums ‖p‖² and ‖u‖² per chunk, the other recomputes u from m and v and applies it (40
 * bytes per element in all). State: {@code exp_avg}, {@code exp_avg_sq}.
 */
public final class Lamb extends TrustRatioOptimizer<LambOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<LambOptions> RULE =
      Rule.builder("Lamb", LambOptions.class, LambOptions::fromPyTorch)
          .buffer("exp_avg")
          .buffer("exp_avg_sq")
          .keepsStep()
          .passes(2)
          .build(Lamb::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_AVG_SQ = 1;
  private final LambKernel kernel = kernel(LambKernel.class);

  public Lamb(LambOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Lamb(LambOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new LambKernel.Coefficients();
  }

  @Override
  void prepare(LambOptions h, Parameter p) {
    p.<LambKernel.Coefficients>coefficients()
        .set(h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.debias(), p.step + 1);
  }

  @Override
  void direction(Parameter p, MemorySegment direction, long offset, long count) {
    kernel.moments(
        p.coefficients(),
        p.value,
        p.grad,
        p.state(EXP_AVG),
        p.state(EXP_AVG_SQ),
        direction,
        offset,
        offset,
        count);
  }

  @Override
  void apply(Parameter p, long offset, long count) {
    kernel.apply(p.coefficients(), p.value, p.state(EXP_AVG), p.state(EXP_AVG_SQ), offset, count);
  }

  @Override
  void setTrust(LambOptions h, Parameter p, float paramNorm, float directionNorm) {
    p.<LambKernel.Coefficients>coefficients()
        .setTrust(Math.min(paramNorm, (float) h.clampValue()), directionNorm, h.adam());
  }
}
