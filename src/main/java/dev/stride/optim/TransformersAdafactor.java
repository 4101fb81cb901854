package dev.stride.optim;

/**
 * Adafactor as Hugging Face's {@code transformers.Adafactor} (fairseq's port, what T5 fine-tuning
 * uses). Per tensor, with t its step from 1, g plus the group's L1 term, and for a tensor of two or
 * more dimensions [..., R, C] everything per matrix of its last two:
 *
 * <pre>
 *   s = RMS(p)                                           (float32; p before the step)
 *   ρ = relativeStep ? min(warmupInit ? 10⁻⁶·t : 10⁻², 1/√t) : lr
 *   lr_t = scaleParameter ? max(ε2, s)·ρ : ρ
 *   β̂ = 1 − t^τ;   S = g² + ε1
 *   matrix:  R_i = β̂·R_i + (1 − β̂)·mean_j S,  C_j = β̂·C_j + (1 − β̂)·mean_i S
 *            U = rsqrt(R_i / mean_i R_i) · rsqrt(C_j) · g
 *   vector:  V = β̂·V + (1 − β̂)·S;   U = rsqrt(V)·g
 *   U = lr_t · U / max(1, RMS(U)/d)
 *   m = β1·m + (1 − β1)·U;  U = m                          (with beta1)
 *   p = p − λ·lr_t·p − U
 * </pre>
 *
 * Its quirks, kept, against {@link Adafactor} (PyTorch's): ε1 is added to g² before the averages
 * (so a zero row's statistic is about ε1, not 0) and nothing is clamped after; the rate is the
 * relative step unless {@code relativeStep} is off, and then lr with no 1/√t decay; the weight
 * decay is decoupled but scaled by lr_t (so by ρ and RMS(p)); the update is clipped before it is
 * scaled and the first moment averages the clipped, scaled updates; RMS(U) and the clipping divisor
 * are float32. It has no maximize. Parameters must be registered with their shapes ({@link
 * ParamGroup#add(java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment, long...)}).
 * State: {@code exp_avg_sq_row} [..., R] and {@code exp_avg_sq_col} [..., C] for tensors of two or
 * more dimensions, {@code exp_avg_sq} for the others, {@code exp_avg} with beta1, the step and the
 * last {@code RMS} of p. A step makes three passes, 24 bytes per element of a matrix without beta1
 * (32 with).
 */
public final class TransformersAdafactor extends FactoredOptimizer<TransformersAdafactorOptions> {
  /** The rule: its name, its state under transformers' keys, how it is made. */
  public static final Rule<TransformersAdafactorOptions> RULE =
      Rule.builder(
              "transformers.Adafactor",
              TransformersAdafactorOptions.class,
              TransformersAdafactorOptions::fromPyTorch)
          .buffer("exp_avg_sq_row", h -> true, FactoredOptimizer::rowsOnly)
          .buffer("exp_avg_sq_col", h -> true, FactoredOptimizer::columnsOnly)
          .buffer("exp_avg_sq", h -> true, FactoredOptimizer::unfactored)
          .buffer("exp_avg", h -> !Double.isNaN(h.beta1()))
          .parameterNumbers("RMS")
          .keepsStep()
          .needsShapes()
          .passes(3)
          .build(TransformersAdafactor::new);

  private static final int RMS = 0;

  public TransformersAdafactor(TransformersAdafactorOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public TransformersAdafactor(TransformersAdafactorOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  @Override
  void prepareTensor(TransformersAdafactorOptions h, Parameter p, FactoredTensor t) {
    long step = p.step + 1;
    t.setMaximize(false)
        .setDecay(1 - Math.pow(step, h.decayRate()))
        .setEpsilon((float) h.eps1(), Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)
        .setMomentum(h.beta1());
    t.meanFloor = Float.NEGATIVE_INFINITY;
    t.exactRoots = false;
    t.stepScale = // ρ, until scaleStep
        h.relativeStep()
            ? Math.min(h.warmupInit() ? 1e-6 * step : 1e-2, 1.0 / Math.sqrt(step))
            : h.lr();
  }

  /** lr_t: a float32 product where RMS(p) > ε2 made it a tensor's, else a double. */
  @Override
  void scaleStep(
      TransformersAdafactorOptions h, Parameter p, FactoredTensor t, double paramSquares) {
    float rms = (float) Math.sqrt(paramSquares) / (float) t.rootCount;
    p.numbers[RMS] = rms;
    t.stepScaleIsFloat = h.scaleParameter() && rms > (float) h.eps2();
    if (t.stepScaleIsFloat) {
      t.stepScale = rms * (float) t.stepScale;
    } else if (h.scaleParameter()) {
      t.stepScale = h.eps2() * t.stepScale;
    }
  }

  @Override
  void setStep(
      TransformersAdafactorOptions h, Parameter p, FactoredTensor t, double updateSquares) {
    float rms = (float) Math.sqrt(updateSquares) / (float) t.rootCount;
    float clipDivisor = Math.max(rms / (float) h.clipThreshold(), 1f);
    float lr = (float) t.stepScale;
    float decayTerm =
        h.weightDecay() == 0
            ? 0
            : t.stepScaleIsFloat
                ? (float) -h.weightDecay() * lr
                : (float) (-h.weightDecay() * t.stepScale);
    t.setStep(clipDivisor, lr, 1, decayTerm);
  }
}
