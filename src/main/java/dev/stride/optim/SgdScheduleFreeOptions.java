package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Schedule-Free SGD's hyperparameters, with the names, defaults and checks of the reference's
 * {@code SGDScheduleFreeReference}: {@code lr} η, {@code momentum} β (the interpolation between x
 * and z, in (0, 1) as the reference requires), {@code weightDecay} λ, and the averaging's {@code
 * warmupSteps}, {@code r} and {@code weightLrPower}. The reference checks lr, momentum and weight
 * decay; negative, fractional or non-finite warmup steps, r and power are refused too.
 */
public record SgdScheduleFreeOptions(
    double lr,
    double momentum,
    double weightDecay,
    long warmupSteps,
    double r,
    double weightLrPower)
    implements ScheduleFree.Averaging<SgdScheduleFreeOptions> {

  /** The reference's defaults: η = 1, β = 0.9, λ = 0, no warmup, r = 0, power 2. */
  public static final SgdScheduleFreeOptions DEFAULTS =
      new SgdScheduleFreeOptions(1, 0.9, 0, 0, 0, 2);

  public SgdScheduleFreeOptions {
    Args.nonNegative("lr", lr);
    Args.openUnitInterval("momentum", momentum);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("warmupSteps", warmupSteps);
    Args.nonNegative("r", r);
    Args.nonNegative("weightLrPower", weightLrPower);
  }

  private static final Set<String> REFERENCE_NAMES =
      Set.of("lr", "momentum", "weight_decay", "warmup_steps", "r", "weight_lr_power");

  /**
   * From the keyword arguments of the reference's constructor, its defaults for absent ones ({@code
   * foreach} is ignored, as the reference ignores it).
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static SgdScheduleFreeOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("SGDScheduleFree", kwargs, REFERENCE_NAMES);
    return new SgdScheduleFreeOptions(
        k.number("lr", DEFAULTS.lr),
        k.number("momentum", DEFAULTS.momentum),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.integer("warmup_steps", DEFAULTS.warmupSteps),
        k.number("r", DEFAULTS.r),
        k.number("weight_lr_power", DEFAULTS.weightLrPower));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("weight_decay", weightDecay);
    m.put("warmup_steps", warmupSteps);
    m.put("r", r);
    m.put("weight_lr_power", weightLrPower);
    return m;
  }

  @Override
  public SgdScheduleFreeOptions withLr(double lr) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }

  @Override
  public SgdScheduleFreeOptions withMomentum(double momentum) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }

  @Override
  public SgdScheduleFreeOptions withWeightDecay(double weightDecay) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }

  public SgdScheduleFreeOptions withWarmupSteps(long warmupSteps) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }

  public SgdScheduleFreeOptions withR(double r) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }

  public SgdScheduleFreeOptions withWeightLrPower(double weightLrPower) {
    return new SgdScheduleFreeOptions(lr, momentum, weightDecay, warmupSteps, r, weightLrPower);
  }
}
