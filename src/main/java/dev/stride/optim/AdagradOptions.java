package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Adagrad's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code lrDecay} δ, {@code
 * weightDecay} λ, {@code initialAccumulatorValue} s0, {@code eps} ε and {@code maximize}. Adagrad
 * has no momentum: {@link #momentum()} is 0 and a schedule cannot cycle one.
 */
public record AdagradOptions(
    double lr,
    double lrDecay,
    double weightDecay,
    double initialAccumulatorValue,
    double eps,
    boolean maximize)
    implements Hyperparameters<AdagradOptions> {

  /** PyTorch's defaults: η = 1e-2, δ = 0, λ = 0, s0 = 0, ε = 1e-10. */
  public static final AdagradOptions DEFAULTS = new AdagradOptions(1e-2, 0, 0, 0, 1e-10, false);

  public AdagradOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("lrDecay", lrDecay);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("initialAccumulatorValue", initialAccumulatorValue);
    Args.nonNegative("eps", eps);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.Adagrad}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdagradOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Adagrad", kwargs, PYTORCH_NAMES);
    return new AdagradOptions(
        k.number("lr", DEFAULTS.lr),
        k.number("lr_decay", DEFAULTS.lrDecay),
        k.number("weight_decay", DEFAULTS.weightDecay),
        k.number("initial_accumulator_value", DEFAULTS.initialAccumulatorValue),
        k.number("eps", DEFAULTS.eps),
        k.bool("maximize", DEFAULTS.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("lr_decay", lrDecay);
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("initial_accumulator_value", initialAccumulatorValue);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AdagradOptions withLr(double lr) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }

  /** 0: Adagrad has no momentum. */
  @Override
  public double momentum() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code momentum} is 0: Adagrad has none to cycle
   */
  @Override
  public AdagradOptions withMomentum(double momentum) {
    Args.zero("momentum", momentum, "Adagrad has no momentum for a schedule to cycle");
    return this;
  }

  public AdagradOptions withLrDecay(double lrDecay) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }

  @Override
  public AdagradOptions withWeightDecay(double weightDecay) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }

  /** Takes effect for parameters whose first step has not been taken yet: it starts their sum. */
  public AdagradOptions withInitialAccumulatorValue(double initialAccumulatorValue) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }

  public AdagradOptions withEps(double eps) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }

  public AdagradOptions withMaximize(boolean maximize) {
    return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
  }
}
