package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters of Hugging Face's {@code transformers.Adafactor}, its names, defaults and
 * checks: {@code lr} (NaN for its None: with {@code relativeStep} the rate is the relative step),
 * {@code eps1} ε1 (added to g²), {@code eps2} ε2 (the floor of RMS(p)), {@code clipThreshold} d,
 * {@code decayRate} τ (β̂ = 1 − t^τ), {@code beta1} (NaN for None: no first moment), {@code
 * weightDecay} λ, {@code scaleParameter} (the step times max(ε2, RMS(p))), {@code relativeStep}
 * (the rate min(10⁻², 1/√t), or min(10⁻⁶·t, 1/√t) with {@code warmupInit}). For T5 fine-tuning its
 * documentation recommends a fixed rate without parameter scaling: {@link #fixedLr}.
 */
public record TransformersAdafactorOptions(
    double lr,
    double eps1,
    double eps2,
    double clipThreshold,
    double decayRate,
    double beta1,
    double weightDecay,
    boolean scaleParameter,
    boolean relativeStep,
    boolean warmupInit)
    implements Hyperparameters<TransformersAdafactorOptions> {

  /**
   * transformers' defaults: no lr (the relative step), ε = (1e-30, 1e-3), d = 1, τ = −0.8, no β1, λ
   * = 0, scale_parameter and relative_step on, warmup_init off.
   */
  public static final TransformersAdafactorOptions DEFAULTS =
      new TransformersAdafactorOptions(
          Double.NaN, 1e-30, 1e-3, 1, -0.8, Double.NaN, 0, true, true, false);

  private static final Set<String> NAMES =
      Set.of(
          "lr",
          "eps",
          "clip_threshold",
          "decay_rate",
          "beta1",
          "weight_decay",
          "scale_parameter",
          "relative_step",
          "warmup_init");

  /**
   * @throws IllegalArgumentException as transformers' constructor does, if lr is given with
   *     relativeStep or warmupInit without it; and for what fails later there or makes no sense
   *     though it does not check: no lr without relativeStep, a negative or infinite lr, eps or
   *     weightDecay, a clipThreshold not > 0, a decayRate > 0 (β̂ would leave [0, 1)), a beta1
   *     outside [0, 1]
   */
  public TransformersAdafactorOptions {
    if (!Double.isNaN(lr) && relativeStep) {
      throw new IllegalArgumentException(
          "lr must be None (NaN) with relativeStep: transformers' Adafactor cannot combine a manual"
              + " lr and relative_step=True, got lr "
              + lr);
    }
    if (warmupInit && !relativeStep) {
      throw new IllegalArgumentException(
          "warmupInit needs relativeStep, as transformers' warmup_init=True requires"
              + " relative_step=True");
    }
    if (!relativeStep) {
      if (Double.isNaN(lr)) {
        throw new IllegalArgumentException(
            "lr must be given without relativeStep (transformers' Adafactor has no rate then), got"
                + " NaN");
      }
      Args.nonNegative("lr", lr);
    }
    Args.nonNegative("eps1", eps1);
    Args.nonNegative("eps2", eps2);
    if (!(clipThreshold > 0)) {
      throw new IllegalArgumentException(
          "clipThreshold must be > 0 (or infinity), got " + clipThreshold);
    }
    if (!(decayRate <= 0) || decayRate == Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException(
          "decayRate must be a finite number <= 0, got " + decayRate);
    }
    if (!Double.isNaN(beta1)) {
      Args.fraction("beta1", beta1);
    }
    Args.nonNegative("weightDecay", weightDecay);
  }

  /**
   * transformers' fixed-rate form, as its documentation recommends for T5 fine-tuning: {@code
   * Adafactor(lr=lr, scale_parameter=False, relative_step=False, warmup_init=False)}.
   */
  public static TransformersAdafactorOptions fixedLr(double lr) {
    return DEFAULTS.withFixedLr(lr).withScaleParameter(false);
  }

  /**
   * From the keyword arguments of {@code transformers.Adafactor}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static TransformersAdafactorOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("transformers.Adafactor", kwargs, NAMES);
    TransformersAdafactorOptions d = DEFAULTS;
    double[] eps = k.pair("eps", d.eps1, d.eps2);
    return new TransformersAdafactorOptions(
        k.number("lr", d.lr),
        eps[0],
        eps[1],
        k.number("clip_threshold", d.clipThreshold),
        k.number("decay_rate", d.decayRate),
        k.number("beta1", d.beta1),
        k.number("weight_decay", d.weightDecay),
        k.bool("scale_parameter", d.scaleParameter),
        k.bool("relative_step", d.relativeStep),
        k.bool("warmup_init", d.warmupInit));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", Double.isNaN(lr) ? null : lr);
    m.put("eps", Arrays.asList(eps1, eps2));
    m.put("clip_threshold", clipThreshold);
    m.put("decay_rate", decayRate);
    m.put("beta1", Double.isNaN(beta1) ? null : beta1);
    m.put("weight_decay", weightDecay);
    m.put("scale_parameter", scaleParameter);
    m.put("relative_step", relativeStep);
    m.put("warmup_init", warmupInit);
    return m;
  }

  /** The fixed rate, or NaN with {@code relativeStep}, where there is none. */
  @Override
  public double lr() {
    return lr;
  }

  /**
   * @throws IllegalArgumentException with {@code relativeStep}, whose rate is its own ({@link
   *     #withFixedLr} turns it off), or for a negative or infinite lr
   */
  @Override
  public TransformersAdafactorOptions withLr(double lr) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  /** β1, or 0 without a first moment. */
  @Override
  public double momentum() {
    return Double.isNaN(beta1) ? 0 : beta1;
  }

  /**
   * Sets β1, turning the first moment on: what a cyclic schedule cycles.
   *
   * @throws IllegalArgumentException unless beta1 is in [0, 1] (NaN too: {@link #withBeta1} turns
   *     the first moment off)
   */
  @Override
  public TransformersAdafactorOptions withMomentum(double beta1) {
    return withBeta1(Args.fraction("beta1", beta1));
  }

  /**
   * @param beta1 β1, or NaN for None (no first moment)
   */
  public TransformersAdafactorOptions withBeta1(double beta1) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  public TransformersAdafactorOptions withEps(double eps1, double eps2) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  public TransformersAdafactorOptions withClipThreshold(double clipThreshold) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  public TransformersAdafactorOptions withDecayRate(double decayRate) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  @Override
  public TransformersAdafactorOptions withWeightDecay(double weightDecay) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  public TransformersAdafactorOptions withScaleParameter(boolean scaleParameter) {
    return new TransformersAdafactorOptions(
        lr,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        relativeStep,
        warmupInit);
  }

  /** The relative step on, with or without warmupInit: lr None (NaN). */
  public TransformersAdafactorOptions withRelativeStep(boolean warmupInit) {
    return new TransformersAdafactorOptions(
        Double.NaN,
        eps1,
        eps2,
        clipThreshold,
        decayRate,
        beta1,
        weightDecay,
        scaleParameter,
        true,
        warmupInit);
  }

  /** The relative step off, {@code lr} the fixed rate (and warmupInit off). */
  public TransformersAdafactorOptions withFixedLr(double lr) {
    return new TransformersAdafactorOptions(
        lr, eps1, eps2, clipThreshold, decayRate, beta1, weightDecay, scaleParameter, false, false);
  }
}
