package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RAdam's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code beta1} and {@code
 * beta2} (PyTorch's {@code betas}), {@code eps} ε, {@code weightDecay} λ, and PyTorch 2's {@code
 * decoupledWeightDecay} and {@code maximize} (torch 1.13's RAdam has neither).
 */
public record RAdamOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    boolean decoupledWeightDecay,
    boolean maximize)
    implements Hyperparameters<RAdamOptions> {

  /** PyTorch's defaults: η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0. */
  public static final RAdamOptions DEFAULTS =
      new RAdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false);

  public RAdamOptions {
    Args.nonNegative("lr", lr);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.RAdam}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static RAdamOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("RAdam", kwargs, PYTORCH_NAMES);
    RAdamOptions d = DEFAULTS;
    double[] betas = k.pair("betas", d.beta1, d.beta2);
    return new RAdamOptions(
        k.number("lr", d.lr),
        betas[0],
        betas[1],
        k.number("eps", d.eps),
        k.number("weight_decay", d.weightDecay),
        k.bool("decoupled_weight_decay", d.decoupledWeightDecay),
        k.bool("maximize", d.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("decoupled_weight_decay", decoupledWeightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public RAdamOptions withLr(double lr) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public RAdamOptions withMomentum(double beta1) {
    return withBetas(beta1, beta2);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  public RAdamOptions withBetas(double beta1, double beta2) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }

  public RAdamOptions withEps(double eps) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }

  @Override
  public RAdamOptions withWeightDecay(double weightDecay) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }

  public RAdamOptions withDecoupledWeightDecay(boolean decoupledWeightDecay) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }

  public RAdamOptions withMaximize(boolean maximize) {
    return new RAdamOptions(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
  }
}
