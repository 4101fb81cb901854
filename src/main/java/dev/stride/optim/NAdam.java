package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.NAdamKernel;

/**
 * NAdam, as PyTorch's {@code torch.optim.NAdam} (torch 1.13), with PyTorch 2's {@code
 * decoupled_weight_decay} and {@code maximize}. With {@code g = maximize ? -g : g}, t the
 * parameter's step from 1 and ψ the momentum decay:
 *
 * <pre>
 *   g   = g + λ·p + λ1·sign(p)         λ unless decoupled; λ1: the group's L1
 *   p   = (1 − η·λ)·p                  if decoupled
 *   μ_t = β1·(1 − ½·0.96^(t·ψ)),   Π_t = Π_{t−1}·μ_t   (Π_0 = 1)
 *   m   = β1·m + (1 − β1)·g
 *   v   = β2·v + (1 − β2)·g²
 *   p   = p − η·(1 − μ_t)/(1 − Π_t) · g / (√v / √(1 − β2^t) + ε)
 *           − η·μ_{t+1}/(1 − Π_t·μ_t·μ_{t+1}) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 *
 * The second denominator's extra μ_t is torch 1.13's single-tensor NAdam, which PyTorch's reference
 * trajectories follow (PyTorch 2 uses Π_t·μ_{t+1}). Π is kept per parameter as a float32 number, as
 * PyTorch keeps it.
 *
 * <p>State: {@code m} and {@code v} (PyTorch's {@code exp_avg}, {@code exp_avg_sq}), and the number
 * {@code mu_product} Π_t.
 */
public final class NAdam extends ElementwiseOptimizer<NAdamOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<NAdamOptions> RULE =
      Rule.builder("NAdam", NAdamOptions.class, NAdamOptions::fromPyTorch)
          .buffer("exp_avg")
          .buffer("exp_avg_sq")
          .parameterNumbers("mu_product")
          .keepsStep()
          .build(NAdam::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_AVG_SQ = 1;
  private static final int MU_PRODUCT = 0;
  private final NAdamKernel kernel = kernel(NAdamKernel.class);

  public NAdam(NAdamOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public NAdam(NAdamOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new NAdamKernel.Coefficients();
  }

  @Override
  void prepare(NAdamOptions h, Parameter p) {
    long t = p.step + 1;
    double previous = p.isFresh(EXP_AVG) ? 1 : p.numbers[MU_PRODUCT];
    double muProduct =
        NAdamKernel.Coefficients.muProduct(previous, h.beta1(), h.momentumDecay(), t);
    p.numbers[MU_PRODUCT] = muProduct;
    p.<NAdamKernel.Coefficients>coefficients()
        .set(
            h.lr(),
            h.beta1(),
            h.beta2(),
            h.eps(),
            h.weightDecay(),
            h.momentumDecay(),
            h.decoupledWeightDecay(),
            h.maximize(),
            t,
            muProduct);
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(
        p.coefficients(), p.value, p.grad, p.state(EXP_AVG), p.state(EXP_AVG_SQ), offset, count);
  }
}
