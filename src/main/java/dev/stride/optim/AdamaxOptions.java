package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adamax's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code beta1} and {@code
 * beta2} (PyTorch's {@code betas}), {@code eps} ε, {@code weightDecay} λ and {@code maximize}.
 */
public record AdamaxOptions(
    double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
    implements Hyperparameters<AdamaxOptions> {

  /** PyTorch's defaults: η = 2e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0. */
  public static final AdamaxOptions DEFAULTS = new AdamaxOptions(2e-3, 0.9, 0.999, 1e-8, 0, false);

  public AdamaxOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("eps", eps);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("weightDecay", weightDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "betas", "eps", "weight_decay", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.Adamax}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdamaxOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Adamax", kwargs, PYTORCH_NAMES);
    double[] betas = k.pair("betas", DEFAULTS.beta1, DEFAULTS.beta2);
    return new AdamaxOptions(
        k.number("lr", DEFAULTS.lr),
        betas[0],
        betas[1],
        k.number("eps", DEFAULTS.eps),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.bool("maximize", DEFAULTS.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AdamaxOptions withLr(double lr) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets β1, the coefficient one-cycle schedules cycle (PyTorch's cycle the same one). */
  @Override
  public AdamaxOptions withMomentum(double beta1) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }

  public AdamaxOptions withBetas(double beta1, double beta2) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }

  public AdamaxOptions withEps(double eps) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }

  @Override
  public AdamaxOptions withWeightDecay(double weightDecay) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }

  public AdamaxOptions withMaximize(boolean maximize) {
    return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
  }
}
