package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * ASGD's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code lambd} λ (the decay
 * term), {@code alpha} α (the power of the rate's decay), {@code t0} (the step after which
 * averaging starts), {@code weightDecay} and {@code maximize}. PyTorch checks only η and the weight
 * decay; λ, α and t0 must be finite here.
 *
 * <p>ASGD has no momentum: {@link #momentum()} is 0 and {@link #withMomentum} refuses anything
 * else, so a schedule that cycles momentum cannot be bound to it.
 */
public record AsgdOptions(
    double lr, double lambd, double alpha, double t0, double weightDecay, boolean maximize)
    implements Hyperparameters<AsgdOptions> {

  /** PyTorch's defaults: η = 1e-2, λ = 1e-4, α = 0.75, t0 = 1e6, no weight decay. */
  public static final AsgdOptions DEFAULTS = new AsgdOptions(1e-2, 1e-4, 0.75, 1e6, 0, false);

  public AsgdOptions {
    Args.nonNegative("lr", lr);
    Args.finite("lambd", lambd);
    Args.finite("alpha", alpha);
    Args.finite("t0", t0);
    Args.nonNegative("weightDecay", weightDecay);
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "lambd", "alpha", "t0", "weight_decay", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.ASGD}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AsgdOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("ASGD", kwargs, PYTORCH_NAMES);
    AsgdOptions d = DEFAULTS;
    return new AsgdOptions(
        k.number("lr", d.lr),
        k.number("lambd", d.lambd),
        k.number("alpha", d.alpha),
        k.number("t0", d.t0),
        k.number("weight_decay", d.weightDecay),
        k.bool("maximize", d.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("lambd", lambd);
    m.put("alpha", alpha);
    m.put("t0", t0);
    m.put("weight_decay", weightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AsgdOptions withLr(double lr) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }

  /** 0: ASGD has no momentum. */
  @Override
  public double momentum() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code momentum} is 0: ASGD has none
   */
  @Override
  public AsgdOptions withMomentum(double momentum) {
    if (momentum != 0) {
      throw new IllegalArgumentException(
          "ASGD has no momentum to set: momentum must be 0, got " + momentum);
    }
    return this;
  }

  public AsgdOptions withLambd(double lambd) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }

  public AsgdOptions withAlpha(double alpha) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }

  public AsgdOptions withT0(double t0) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }

  @Override
  public AsgdOptions withWeightDecay(double weightDecay) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }

  public AsgdOptions withMaximize(boolean maximize) {
    return new AsgdOptions(lr, lambd, alpha, t0, weightDecay, maximize);
  }
}
