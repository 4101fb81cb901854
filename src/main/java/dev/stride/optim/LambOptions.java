package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LAMB's hyperparameters, the names and checks of jettify's {@code Lamb}: {@code lr} η, {@code
 * beta1} and {@code beta2} ({@code betas}), {@code eps} ε, {@code weightDecay} λ, {@code
 * clampValue} (the upper clamp of ‖p‖), {@code adam} (a trust ratio of 1) and {@code debias}.
 */
public record LambOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double clampValue,
    boolean adam,
    boolean debias)
    implements Hyperparameters<LambOptions> {

  /**
   * The reference's defaults: η = 1e-3, β = (0.9, 0.999), ε = 1e-6 (its docstring says 1e-8; the
   * code 1e-6), λ = 0, clamp 10.
   */
  public static final LambOptions DEFAULTS =
      new LambOptions(1e-3, 0.9, 0.999, 1e-6, 0, 10, false, false);

  private static final Set<String> NAMES =
      Set.of("lr", "betas", "eps", "weight_decay", "clamp_value", "adam", "debias");

  /**
   * @throws IllegalArgumentException as the reference does: lr ≤ 0, eps < 0, a beta outside [0, 1),
   *     weightDecay < 0, clampValue < 0
   */
  public LambOptions {
    Args.positive("lr", lr);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("clampValue", clampValue);
  }

  /** From the reference constructor's keyword arguments, its defaults for absent ones. */
  public static LambOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Lamb", kwargs, NAMES);
    double[] betas = k.pair("betas", DEFAULTS.beta1, DEFAULTS.beta2);
    return new LambOptions(
        k.number("lr", DEFAULTS.lr),
        betas[0],
        betas[1],
        k.number("eps", DEFAULTS.eps),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.number("clamp_value", DEFAULTS.clampValue),
        k.bool("adam", DEFAULTS.adam),
        k.bool("debias", DEFAULTS.debias));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("clamp_value", clampValue);
    m.put("adam", adam);
    m.put("debias", debias);
    return m;
  }

  @Override
  public LambOptions withLr(double lr) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public LambOptions withMomentum(double beta1) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  public LambOptions withBetas(double beta1, double beta2) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  public LambOptions withEps(double eps) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  @Override
  public LambOptions withWeightDecay(double weightDecay) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  public LambOptions withClampValue(double clampValue) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  public LambOptions withAdam(boolean adam) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }

  public LambOptions withDebias(boolean debias) {
    return new LambOptions(lr, beta1, beta2, eps, weightDecay, clampValue, adam, debias);
  }
}
