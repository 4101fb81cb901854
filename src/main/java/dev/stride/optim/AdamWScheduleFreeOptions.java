package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Schedule-Free AdamW's hyperparameters, with the names and defaults of the reference's {@code
 * AdamWScheduleFreeReference}: {@code lr} η, {@code beta1} β (the interpolation between x and z,
 * not a first moment) and {@code beta2} (the reference's {@code betas}), {@code eps} ε, {@code
 * weightDecay} λ and {@code decayAtZ}, {@code innerMomentum} μi, and the averaging's {@code
 * warmupSteps}, {@code r} and {@code weightLrPower}.
 *
 * <p>The reference checks nothing; refused here: a negative or non-finite rate, ε, λ, r or power,
 * negative or fractional warmup steps, β2 or μi outside [0, 1) (1 divides by a bias correction of
 * 0), and β1 outside (0, 1]. β1 = 0, which the reference takes (y = z, x still averaged), has no x
 * in the memory-lean form Stride keeps ({@link ScheduleFree}): x is recovered from y and z by
 * dividing by β1.
 */
public record AdamWScheduleFreeOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    long warmupSteps,
    double r,
    double weightLrPower,
    boolean decayAtZ,
    double innerMomentum)
    implements ScheduleFree.Averaging<AdamWScheduleFreeOptions> {

  /**
   * The reference's defaults: η = 0.0025, β = (0.9, 0.999), ε = 1e-8, λ = 0 (at y), no warmup, r =
   * 0, power 2, no inner momentum.
   */
  public static final AdamWScheduleFreeOptions DEFAULTS =
      new AdamWScheduleFreeOptions(0.0025, 0.9, 0.999, 1e-8, 0, 0, 0, 2, false, 0);

  public AdamWScheduleFreeOptions {
    Args.nonNegative("lr", lr);
    Args.positiveFraction("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("warmupSteps", warmupSteps);
    Args.nonNegative("r", r);
    Args.nonNegative("weightLrPower", weightLrPower);
    Args.unitInterval("innerMomentum", innerMomentum);
  }

  private static final Set<String> REFERENCE_NAMES =
      Set.of(
          "lr",
          "betas",
          "eps",
          "weight_decay",
          "warmup_steps",
          "r",
          "weight_lr_power",
          "decay_at_z",
          "inner_momentum");

  /**
   * From the keyword arguments of the reference's constructor, its defaults for absent ones ({@code
   * foreach} is ignored, as the reference ignores it).
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdamWScheduleFreeOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("AdamWScheduleFree", kwargs, REFERENCE_NAMES);
    double[] betas = k.pair("betas", DEFAULTS.beta1, DEFAULTS.beta2);
    return new AdamWScheduleFreeOptions(
        k.number("lr", DEFAULTS.lr),
        betas[0],
        betas[1],
        k.number("eps", DEFAULTS.eps),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.integer("warmup_steps", DEFAULTS.warmupSteps),
        k.number("r", DEFAULTS.r),
        k.number("weight_lr_power", DEFAULTS.weightLrPower),
        k.bool("decay_at_z", DEFAULTS.decayAtZ),
        k.number("inner_momentum", DEFAULTS.innerMomentum));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("warmup_steps", warmupSteps);
    m.put("r", r);
    m.put("weight_lr_power", weightLrPower);
    m.put("decay_at_z", decayAtZ);
    m.put("inner_momentum", innerMomentum);
    return m;
  }

  @Override
  public AdamWScheduleFreeOptions withLr(double lr) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  /** β1, the interpolation between x and z. */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public AdamWScheduleFreeOptions withMomentum(double beta1) {
    return withBetas(beta1, beta2);
  }

  public AdamWScheduleFreeOptions withBetas(double beta1, double beta2) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withEps(double eps) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  @Override
  public AdamWScheduleFreeOptions withWeightDecay(double weightDecay) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withWarmupSteps(long warmupSteps) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withR(double r) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withWeightLrPower(double weightLrPower) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withDecayAtZ(boolean decayAtZ) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }

  public AdamWScheduleFreeOptions withInnerMomentum(double innerMomentum) {
    return new AdamWScheduleFreeOptions(
        lr, beta1, beta2, eps, weightDecay, warmupSteps, r, weightLrPower, decayAtZ, innerMomentum);
  }
}
