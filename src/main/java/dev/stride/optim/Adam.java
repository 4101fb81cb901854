package dev.stride.optim;

import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.AdamLowBitKernel;
import dev.stride.kernel.AdamLowBitKernel.ParameterStorage;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.RoundingNoise;
import java.lang.foreign.MemorySegment;

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
 *
 * <p>A group whose {@link ParamGroup#setStatePrecision state precision} is not float32, and every
 * bfloat16 parameter ({@link ParamGroup#addBf16}), follow the low-memory references instead, each
 * operation rounded as theirs: torchao's {@code single_param_adam} (its lerps, bias corrections
 * divided out, AdamW's decay as {@code p − (η·λ)·p}) for bfloat16 and torchao's formats, and
 * bitsandbytes' 8-bit kernel (weight decay after the step for Adam too, ε scaled by √(1 − β2^t), no
 * amsgrad) for its format; see {@code AdamLowBitKernel}. The results differ from the float32 rule's
 * by rounding only.
 */
public sealed class Adam extends ElementwiseOptimizer<AdamOptions> permits AdamW {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdamOptions> RULE = rule("Adam", AdamOptions.ADAM_DEFAULTS, Adam::new);

  private static final int EXP_AVG = 0;
  private static final int EXP_AVG_SQ = 1;
  private static final int MAX_EXP_AVG_SQ = 2;
  private final AdamKernel kernel = kernel(AdamKernel.class);
  private final AdamLowBitKernel lowBit = kernel(AdamLowBitKernel.class);
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
        .buffer("exp_avg", Rule.Values.SIGNED)
        .buffer("exp_avg_sq", Rule.Values.NON_NEGATIVE)
        .buffer("max_exp_avg_sq", Rule.Values.NON_NEGATIVE, AdamOptions::amsgrad)
        .keepsStep()
        .build(factory);
  }

  /**
   * One object per parameter that serves both kernels: the low-precision one's extends the other's.
   */
  @Override
  final GradientCoefficients newCoefficients() {
    return new AdamLowBitKernel.Coefficients();
  }

  @Override
  final void checkPrecision(int group, StatePrecision precision, AdamOptions h) {
    if (precision.bitsandbytes() && h.amsgrad()) {
      throw new IllegalArgumentException(
          "group "
              + group
              + ": "
              + precision.format().label()
              + " state has no amsgrad (bitsandbytes' Adam8bit and AdamW8bit raise on it)");
    }
  }

  @Override
  final void checkCanStep() {
    for (int i = 0; i < groups.size(); i++) { // indexed: the step allocates no iterator
      ParamGroup<AdamOptions> g = groups.get(i);
      try {
        checkPrecision(g.index(), g.statePrecision(), g.hyperparameters());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage() + "; nothing was updated", e);
      }
    }
  }

  @Override
  final void prepare(AdamOptions h, Parameter p) {
    AdamLowBitKernel.Coefficients c = p.coefficients();
    long step = p.step + 1;
    c.set(
        h.lr(),
        h.beta1(),
        h.beta2(),
        h.eps(),
        h.weightDecay(),
        decoupled,
        h.amsgrad(),
        h.maximize(),
        step);
    if (group(p.group).statePrecision().bitsandbytes()) {
      c.setBitsandbytes(
          h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), decoupled, h.maximize(), step);
    } else {
      c.setTorchao(
          h.lr(),
          h.beta1(),
          h.beta2(),
          h.eps(),
          h.weightDecay(),
          decoupled,
          h.amsgrad(),
          h.maximize(),
          step);
    }
  }

  @Override
  final void update(Parameter p, long offset, long count) {
    ParamGroup<AdamOptions> g = group(p.group);
    if (!p.bf16 && g.statePrecision() == StatePrecision.FP32) {
      kernel.update(
          p.coefficients(),
          p.value,
          p.grad,
          p.state(EXP_AVG),
          p.state(EXP_AVG_SQ),
          p.state(MAX_EXP_AVG_SQ),
          offset,
          count);
      return;
    }
    ParameterStorage storage = storage(p, g.bf16Rounding());
    MemorySegment master = p.state(p.masterSlot());
    GivenNoise given = givenNoise();
    if (storage == ParameterStorage.BF16_STOCHASTIC && given != null) {
      storage = ParameterStorage.BF16_GIVEN_NOISE;
      master = given.noise(p.index, p.step + 1);
    }
    lowBit.update(
        p.coefficients(),
        storage,
        p.value,
        master,
        RoundingNoise.key(p.index, p.step + 1),
        p.grad,
        p.buffer(EXP_AVG),
        p.buffer(EXP_AVG_SQ),
        p.buffer(MAX_EXP_AVG_SQ),
        offset,
        count);
  }

  private static ParameterStorage storage(Parameter p, Bf16Rounding rounding) {
    if (!p.bf16) {
      return ParameterStorage.F32;
    }
    return switch (rounding) {
      case NEAREST -> ParameterStorage.BF16_NEAREST;
      case STOCHASTIC -> ParameterStorage.BF16_STOCHASTIC;
      case FP32_MASTER -> ParameterStorage.BF16_MASTER;
    };
  }
}
