package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * RMSprop's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code alpha} α, {@code eps}
 * ε, {@code weightDecay} λ, {@code momentum} μ, {@code centered} and {@code maximize}. As
 * PyTorch's, α is only checked to be ≥ 0: α > 1 is accepted.
 */
public record RmspropOptions(
    double lr,
    double alpha,
    double eps,
    double weightDecay,
    double momentum,
    boolean centered,
    boolean maximize)
    implements Hyperparameters<RmspropOptions> {

  /** PyTorch's defaults: η = 1e-2, α = 0.99, ε = 1e-8, λ = 0, μ = 0, not centered. */
  public static final RmspropOptions DEFAULTS =
      new RmspropOptions(1e-2, 0.99, 1e-8, 0, 0, false, false);

  public RmspropOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("eps", eps);
    Args.nonNegative("momentum", momentum);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("alpha", alpha);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.RMSprop}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static RmspropOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("RMSprop", kwargs, PYTORCH_NAMES);
    return new RmspropOptions(
        k.number("lr", DEFAULTS.lr),
        k.number("alpha", DEFAULTS.alpha),
        k.number("eps", DEFAULTS.eps),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.number("momentum", DEFAULTS.momentum),
        k.bool("centered", DEFAULTS.centered),
        k.bool("maximize", DEFAULTS.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("alpha", alpha);
    m.put("eps", eps);
    m.put("centered", centered);
    m.put("weight_decay", weightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public RmspropOptions withLr(double lr) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  public RmspropOptions withAlpha(double alpha) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  public RmspropOptions withEps(double eps) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  @Override
  public RmspropOptions withWeightDecay(double weightDecay) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  /** Sets μ, the coefficient one-cycle schedules cycle (PyTorch's cycle the same one). */
  @Override
  public RmspropOptions withMomentum(double momentum) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  public RmspropOptions withCentered(boolean centered) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }

  public RmspropOptions withMaximize(boolean maximize) {
    return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
  }
}
