package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rprop's hyperparameters, PyTorch's names and checks: {@code lr} (every element's first step
 * size), {@code etaMinus} η− and {@code etaPlus} η+ (PyTorch's {@code etas}: 0 &lt; η− &lt; 1 &lt;
 * η+), {@code stepSizeMin} and {@code stepSizeMax} (PyTorch's {@code step_sizes}, the range step
 * sizes are clamped to) and {@code maximize}. Besides PyTorch's checks: η+ is finite, η− stays
 * inside (0, 1) when rounded to float32 (PyTorch's sign rule tells a flip by the float32 factor η−,
 * which a 0 or a 1 would confuse), and the range is finite with 0 ≤ min ≤ max (PyTorch checks none
 * of it).
 *
 * <p>Rprop has neither momentum nor weight decay: {@link #momentum()} and {@link #weightDecay()}
 * are 0, and {@link #withMomentum} and {@link #withWeightDecay} refuse anything else. The rate only
 * seeds the step sizes: a new {@code lr} affects parameters that have not stepped yet.
 */
public record RpropOptions(
    double lr,
    double etaMinus,
    double etaPlus,
    double stepSizeMin,
    double stepSizeMax,
    boolean maximize)
    implements Hyperparameters<RpropOptions> {

  /** PyTorch's defaults: lr = 1e-2, η = (0.5, 1.2), step sizes in [1e-6, 50]. */
  public static final RpropOptions DEFAULTS = new RpropOptions(1e-2, 0.5, 1.2, 1e-6, 50, false);

  public RpropOptions {
    Args.nonNegative("lr", lr);
    if (!(etaMinus > 0 && etaMinus < 1)) {
      throw new IllegalArgumentException("etaMinus must be in (0, 1), got " + etaMinus);
    }
    if (!((float) etaMinus > 0 && (float) etaMinus < 1)) {
      throw new IllegalArgumentException(
          "etaMinus must stay in (0, 1) as a float32, got "
              + etaMinus
              + ", which rounds to "
              + (float) etaMinus);
    }
    if (!(etaPlus > 1) || etaPlus == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("etaPlus must be a finite number > 1, got " + etaPlus);
    }
    Args.nonNegative("stepSizeMin", stepSizeMin);
    Args.nonNegative("stepSizeMax", stepSizeMax);
    Args.atLeast("stepSizeMax", stepSizeMax, "stepSizeMin", stepSizeMin);
  }

  private static final Set<String> PYTORCH_NAMES = Set.of("lr", "etas", "step_sizes", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.Rprop}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static RpropOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Rprop", kwargs, PYTORCH_NAMES);
    RpropOptions d = DEFAULTS;
    double[] etas = k.pair("etas", d.etaMinus, d.etaPlus);
    double[] stepSizes = k.pair("step_sizes", d.stepSizeMin, d.stepSizeMax);
    return new RpropOptions(
        k.number("lr", d.lr),
        etas[0],
        etas[1],
        stepSizes[0],
        stepSizes[1],
        k.bool("maximize", d.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("etas", List.of(etaMinus, etaPlus));
    m.put("step_sizes", List.of(stepSizeMin, stepSizeMax));
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public RpropOptions withLr(double lr) {
    return new RpropOptions(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize);
  }

  /** 0: Rprop has no momentum. */
  @Override
  public double momentum() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code momentum} is 0: Rprop has none
   */
  @Override
  public RpropOptions withMomentum(double momentum) {
    if (momentum != 0) {
      throw new IllegalArgumentException(
          "Rprop has no momentum to set: momentum must be 0, got " + momentum);
    }
    return this;
  }

  /** 0: Rprop has no weight decay. */
  @Override
  public double weightDecay() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code weightDecay} is 0: Rprop has none
   */
  @Override
  public RpropOptions withWeightDecay(double weightDecay) {
    if (weightDecay != 0) {
      throw new IllegalArgumentException(
          "Rprop has no weight decay to set: weightDecay must be 0, got " + weightDecay);
    }
    return this;
  }

  public RpropOptions withEtas(double etaMinus, double etaPlus) {
    return new RpropOptions(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize);
  }

  public RpropOptions withStepSizes(double stepSizeMin, double stepSizeMax) {
    return new RpropOptions(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize);
  }

  public RpropOptions withMaximize(boolean maximize) {
    return new RpropOptions(lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize);
  }
}
