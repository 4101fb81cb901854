package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lion's hyperparameters, with the names, defaults and checks of lucidrains' {@code Lion}: {@code
 * lr} η, {@code beta1} and {@code beta2} (the reference's {@code betas}), {@code weightDecay} λ and
 * {@code decoupledWeightDecay}. The reference asserts lr > 0 and 0 ≤ β ≤ 1; a negative weight
 * decay, which it does not check, is refused too. lr may be 0 here, where a schedule ends; the
 * {@link Lion} optimizer is built with a rate above 0.
 */
public record LionOptions(
    double lr, double beta1, double beta2, double weightDecay, boolean decoupledWeightDecay)
    implements Hyperparameters<LionOptions> {

  /** The reference's defaults: η = 1e-4, β = (0.9, 0.99), λ = 0, coupled to η. */
  public static final LionOptions DEFAULTS = new LionOptions(1e-4, 0.9, 0.99, 0, false);

  public LionOptions {
    Args.nonNegative("lr", lr);
    Args.fraction("beta1", beta1);
    Args.fraction("beta2", beta2);
    Args.nonNegative("weightDecay", weightDecay);
  }

  /** {@code use_triton} picks the reference's kernel, not its arithmetic: accepted and ignored. */
  private static final Set<String> REFERENCE_NAMES =
      Set.of("lr", "betas", "weight_decay", "decoupled_weight_decay", "use_triton");

  /**
   * From the keyword arguments of the reference's constructor, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static LionOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Lion", kwargs, REFERENCE_NAMES);
    double[] betas = k.pair("betas", DEFAULTS.beta1, DEFAULTS.beta2);
    return new LionOptions(
        k.number("lr", DEFAULTS.lr),
        betas[0],
        betas[1],
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.bool("decoupled_weight_decay", DEFAULTS.decoupledWeightDecay));
  }

  /**
   * The reference's constructor arguments; {@code decoupled_weight_decay} is an attribute of its
   * optimizer rather than a {@code param_groups} key, given here so that the map reads back.
   */
  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("weight_decay", weightDecay);
    m.put("decoupled_weight_decay", decoupledWeightDecay);
    return m;
  }

  @Override
  public LionOptions withLr(double lr) {
    return new LionOptions(lr, beta1, beta2, weightDecay, decoupledWeightDecay);
  }

  /** β1, the interpolation of the update direction, as Adam's β1 is its momentum. */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public LionOptions withMomentum(double beta1) {
    return new LionOptions(lr, beta1, beta2, weightDecay, decoupledWeightDecay);
  }

  public LionOptions withBetas(double beta1, double beta2) {
    return new LionOptions(lr, beta1, beta2, weightDecay, decoupledWeightDecay);
  }

  @Override
  public LionOptions withWeightDecay(double weightDecay) {
    return new LionOptions(lr, beta1, beta2, weightDecay, decoupledWeightDecay);
  }

  public LionOptions withDecoupledWeightDecay(boolean decoupledWeightDecay) {
    return new LionOptions(lr, beta1, beta2, weightDecay, decoupledWeightDecay);
  }
}
