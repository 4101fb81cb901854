package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Adadelta's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code rho} ρ (in [0, 1]),
 * {@code eps} ε, {@code weightDecay} λ and {@code maximize}. Adadelta has no momentum: {@link
 * #momentum()} is 0 and a schedule cannot cycle one (ρ averages squares, as RMSprop's α).
 */
public record AdadeltaOptions(
    double lr, double rho, double eps, double weightDecay, boolean maximize)
    implements Hyperparameters<AdadeltaOptions> {

  /** PyTorch's defaults: η = 1, ρ = 0.9, ε = 1e-6, λ = 0. */
  public static final AdadeltaOptions DEFAULTS = new AdadeltaOptions(1, 0.9, 1e-6, 0, false);

  public AdadeltaOptions {
    Args.nonNegative("lr", lr);
    Args.fraction("rho", rho);
    Args.nonNegative("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "rho", "eps", "weight_decay", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.Adadelta}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdadeltaOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Adadelta", kwargs, PYTORCH_NAMES);
    return new AdadeltaOptions(
        k.number("lr", DEFAULTS.lr),
        k.number("rho", DEFAULTS.rho),
        k.number("eps", DEFAULTS.eps),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.bool("maximize", DEFAULTS.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("rho", rho);
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AdadeltaOptions withLr(double lr) {
    return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
  }

  /** 0: Adadelta has no momentum. */
  @Override
  public double momentum() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code momentum} is 0: Adadelta has none to cycle
   */
  @Override
  public AdadeltaOptions withMomentum(double momentum) {
    Args.zero("momentum", momentum, "Adadelta has no momentum for a schedule to cycle");
    return this;
  }

  public AdadeltaOptions withRho(double rho) {
    return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
  }

  public AdadeltaOptions withEps(double eps) {
    return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
  }

  @Override
  public AdadeltaOptions withWeightDecay(double weightDecay) {
    return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
  }

  public AdadeltaOptions withMaximize(boolean maximize) {
    return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
  }
}
