package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.LarsKernel;
import java.lang.foreign.MemorySegment;

/**
 * LARS, layer-wise adaptive rate scaling for large batches, as barlowtwins' {@code LARS} (see
 * FORMAT.md for how it differs from the paper). With g plus the group's L1 term λ1·sign(p):
 *
 * <pre>
 *   u = g + λ·p                          (not for 1-D tensors with weightDecayFilter)
 *   q = η_trust·‖p‖ / ‖u‖                (1 if either is 0, or a 1-D tensor with larsAdaptationFilter)
 *   μ = m·μ + q·u
 *   p = p − η·μ
 * </pre>
 *
 * 1-D means registered with a one-dimensional shape ({@link
 * ParamGroup#add(java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment, long...)}; a
 * parameter registered without one is 1-D). Norms are per tensor and the same for any number of
 * threads. A step makes two passes: one reads p and g and sums ‖p‖² and ‖u‖² per chunk, the other
 * updates μ and p (28 bytes per element in all). State: {@code mu}.
 */
public final class Lars extends TrustRatioOptimizer<LarsOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<LarsOptions> RULE =
      Rule.builder("LARS", LarsOptions.class, LarsOptions::fromPyTorch)
          .buffer("mu")
          .passes(2)
          .build(Lars::new);

  private static final int MU = 0;
  private final LarsKernel kernel = kernel(LarsKernel.class);

  public Lars(LarsOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Lars(LarsOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new LarsKernel.Coefficients();
  }

  @Override
  void prepare(LarsOptions h, Parameter p) {
    boolean decays = !(h.weightDecayFilter() && p.shape.length == 1);
    p.<LarsKernel.Coefficients>coefficients()
        .set(h.lr(), h.momentum(), h.eta(), decays ? h.weightDecay() : 0);
  }

  @Override
  void direction(Parameter p, MemorySegment direction, long offset, long count) {
    kernel.direction(p.coefficients(), p.value, p.grad, direction, offset, offset, count);
  }

  @Override
  void apply(Parameter p, long offset, long count) {
    kernel.apply(p.coefficients(), p.value, p.grad, p.state(MU), offset, count);
  }

  @Override
  void setTrust(LarsOptions h, Parameter p, float paramNorm, float directionNorm) {
    boolean adapt = !(h.larsAdaptationFilter() && p.shape.length == 1);
    p.<LarsKernel.Coefficients>coefficients().setTrust(paramNorm, directionNorm, adapt);
  }
}
