package dev.stride.optim;

/**
 * Adafactor (Shazeer and Stern, 2018) as PyTorch's {@code torch.optim.Adafactor} (2.5+): the second
 * moment of a matrix kept as its row and column means, a few numbers per row and column instead of
 * one per element. Per tensor, with t its step from 1, g after maximize and the group's L1 term,
 * and for a tensor of two or more dimensions [..., R, C] everything per matrix of its last two:
 *
 * <pre>
 *   w = t^τ;   ρ = min(lr, 1/√t);   α = max(ε2, RMS(p))·ρ              (double; p before the step)
 *   p = p·(1 − lr·λ)                                                   (if λ ≠ 0)
 *   matrix:  R_i = lerp(R_i, mean_j g², w),  C_j = lerp(C_j, mean_i g², w)
 *            U = g · rsqrt(max(R_i·C_j / max(mean_i R_i, ε1), ε1²))
 *   vector:  V = lerp(V, g², w);   U = g · rsqrt(max(V, ε1²))
 *   p = p − α / max(1, RMS(U)/d) · U
 * </pre>
 *
 * RMS(x) = ‖x‖/√numel over the whole tensor. PyTorch's quirks, kept: ε1 (float32's machine epsilon
 * for None) is not added to g² but floors the normaliser and the estimate, so a row or column of
 * zero gradients gets statistics of exactly 0 and no update; {@code lr} caps the relative step and
 * scales the weight decay, which takes the constant lr and not α. The matrix estimate is computed
 * as min(r_i·c_j, rsqrt(ε1²)) from per-row and per-column roots ({@link
 * dev.stride.kernel.AdafactorKernel}), equal up to rounding. Parameters must be registered with
 * their shapes ({@link ParamGroup#add(java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment, long...)}). State: {@code row_var} [..., R, 1] and {@code
 * col_var} [..., 1, C] for tensors of two or more dimensions, {@code variance} for the others, and
 * the step. A step makes three passes, 24 bytes per element of a matrix.
 *
 * @see TransformersAdafactor Hugging Face's form, with a relative step, clipping and a first moment
 */
public final class Adafactor extends FactoredOptimizer<AdafactorOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdafactorOptions> RULE =
      Rule.builder("Adafactor", AdafactorOptions.class, AdafactorOptions::fromPyTorch)
          .buffer("row_var", h -> true, FactoredOptimizer::keptRows)
          .buffer("col_var", h -> true, FactoredOptimizer::keptColumns)
          .buffer("variance", h -> true, FactoredOptimizer::unfactored)
          .keepsStep()
          .needsShapes()
          .passes(3)
          .build(Adafactor::new);

  public Adafactor(AdafactorOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Adafactor(AdafactorOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  void prepareTensor(AdafactorOptions h, Parameter p, FactoredTensor t) {
    long step = p.step + 1;
    double eps1 = h.effectiveEps1();
    float floor = (float) (eps1 * eps1);
    t.setMaximize(h.maximize())
        .setLerp(Math.pow(step, h.beta2Decay()))
        .setEpsilon(0, floor, 1 / (float) Math.sqrt(floor))
        .setMomentum(Double.NaN);
    t.meanFloor = (float) eps1;
    t.exactRoots = true;
    t.stepScale = Math.min(h.lr(), 1 / Math.pow(step, 0.5)); // ρ, until scaleStep
  }

  @Override
  void scaleStep(AdafactorOptions h, Parameter p, FactoredTensor t, double paramSquares) {
    double norm = (float) Math.sqrt(paramSquares); // torch's float32 norm, then .item()
    t.stepScale = Math.max(h.eps2(), norm / t.rootCount) * t.stepScale;
  }

  @Override
  void setStep(AdafactorOptions h, Parameter p, FactoredTensor t, double updateSquares) {
    double norm = (float) Math.sqrt(updateSquares);
    double denominator = Math.max(1, norm / (t.rootCount * h.d()));
    float decay = h.weightDecay() != 0 ? (float) (1 - h.lr() * h.weightDecay()) : 1;
    t.setStep(1, (float) (t.stepScale / denominator), decay, 0);
  }
}
