package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam's and AdamW's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code beta1} and
 * {@code beta2} (PyTorch's {@code betas}), {@code eps} ε, {@code weightDecay} λ, {@code amsgrad}
 * and {@code maximize}.
 */
public record AdamOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    boolean amsgrad,
    boolean maximize)
    implements Hyperparameters<AdamOptions> {

  /** PyTorch's Adam defaults: η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0. */
  public static final AdamOptions ADAM_DEFAULTS =
      new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false);

  /** PyTorch's AdamW defaults: Adam's, with λ = 1e-2. */
  public static final AdamOptions ADAMW_DEFAULTS = ADAM_DEFAULTS.withWeightDecay(1e-2);

  public AdamOptions {
    Args.nonNegative("lr", lr);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.Adam} or {@code AdamW}, with {@code
   * defaults} (one of {@link #ADAM_DEFAULTS}, {@link #ADAMW_DEFAULTS}) for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdamOptions fromPyTorch(Map<String, ?> kwargs, AdamOptions defaults) {
    Kwargs k = new Kwargs(defaults == ADAMW_DEFAULTS ? "AdamW" : "Adam", kwargs, PYTORCH_NAMES);
    double[] betas = k.pair("betas", defaults.beta1, defaults.beta2);
    return new AdamOptions(
        k.number("lr", defaults.lr),
        betas[0],
        betas[1],
        k.number("eps", defaults.eps),
        k.number("weight_decay", defaults.weightDecay),
        k.bool("amsgrad", defaults.amsgrad),
        k.bool("maximize", defaults.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("amsgrad", amsgrad);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AdamOptions withLr(double lr) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public AdamOptions withMomentum(double beta1) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  public AdamOptions withBetas(double beta1, double beta2) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  public AdamOptions withEps(double eps) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  @Override
  public AdamOptions withWeightDecay(double weightDecay) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  public AdamOptions withAmsgrad(boolean amsgrad) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }

  public AdamOptions withMaximize(boolean maximize) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
  }
}
