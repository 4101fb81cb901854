package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAdam's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code beta1} and {@code
 * beta2} (PyTorch's {@code betas}), {@code eps} ε, {@code weightDecay} λ, {@code momentumDecay} ψ,
 * and PyTorch 2's {@code decoupledWeightDecay} and {@code maximize} (torch 1.13's NAdam has
 * neither).
 */
public record NAdamOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double momentumDecay,
    boolean decoupledWeightDecay,
    boolean maximize)
    implements Hyperparameters<NAdamOptions> {

  /** PyTorch's defaults: η = 2e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0, ψ = 4e-3. */
  public static final NAdamOptions DEFAULTS =
      new NAdamOptions(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false, false);

  public NAdamOptions {
    Args.nonNegative("lr", lr);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("momentumDecay", momentumDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of(
          "lr",
          "betas",
          "eps",
          "weight_decay",
          "momentum_decay",
          "decoupled_weight_decay",
          "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.NAdam}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static NAdamOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("NAdam", kwargs, PYTORCH_NAMES);
    NAdamOptions d = DEFAULTS;
    double[] betas = k.pair("betas", d.beta1, d.beta2);
    return new NAdamOptions(
        k.number("lr", d.lr),
        betas[0],
        betas[1],
        k.number("eps", d.eps),
        k.number("weight_decay", d.weightDecay),
        k.number("momentum_decay", d.momentumDecay),
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
    m.put("momentum_decay", momentumDecay);
    m.put("decoupled_weight_decay", decoupledWeightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public NAdamOptions withLr(double lr) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public NAdamOptions withMomentum(double beta1) {
    return withBetas(beta1, beta2);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  public NAdamOptions withBetas(double beta1, double beta2) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  public NAdamOptions withEps(double eps) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  @Override
  public NAdamOptions withWeightDecay(double weightDecay) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  public NAdamOptions withMomentumDecay(double momentumDecay) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  public NAdamOptions withDecoupledWeightDecay(boolean decoupledWeightDecay) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }

  public NAdamOptions withMaximize(boolean maximize) {
    return new NAdamOptions(
        lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
  }
}
