package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * SGD's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code momentum} μ, {@code
 * dampening} τ, {@code weightDecay} λ, {@code nesterov} and {@code maximize}.
 */
public record SgdOptions(
    double lr,
    double momentum,
    double dampening,
    double weightDecay,
    boolean nesterov,
    boolean maximize)
    implements Hyperparameters<SgdOptions> {

  public SgdOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("momentum", momentum);
    Args.nonNegative("dampening", dampening);
    Args.nonNegative("weightDecay", weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException(
          "nesterov needs momentum > 0 and dampening = 0, got momentum "
              + momentum
              + " and dampening "
              + dampening);
    }
  }

  private static final Set<String> PYTORCH_NAMES =
      Set.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize");

  /**
   * From PyTorch's keyword arguments of {@code torch.optim.SGD}, its defaults for absent ones.
   *
   * @throws IllegalArgumentException if {@code lr} is absent (torch 1.13 requires it), an argument
   *     is unknown, or a value is refused
   */
  public static SgdOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("SGD", kwargs, PYTORCH_NAMES);
    if (!k.has("lr")) {
      throw new IllegalArgumentException("SGD needs lr: torch 1.13's SGD has no default");
    }
    return new SgdOptions(
        k.number("lr", 0),
        k.number("momentum", 0),
        k.number("dampening", 0),
        k.number("weight_decay", 0),
        k.bool("nesterov", false),
        k.bool("maximize", false));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("dampening", dampening);
    m.put("weight_decay", weightDecay);
    m.put("nesterov", nesterov);
    m.put("maximize", maximize);
    return m;
  }

  /** Plain SGD at rate {@code lr}: no momentum, dampening or weight decay. */
  public static SgdOptions of(double lr) {
    return new SgdOptions(lr, 0, 0, 0, false, false);
  }

  @Override
  public SgdOptions withLr(double lr) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }

  @Override
  public SgdOptions withMomentum(double momentum) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }

  public SgdOptions withDampening(double dampening) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }

  @Override
  public SgdOptions withWeightDecay(double weightDecay) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }

  public SgdOptions withNesterov(boolean nesterov) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }

  public SgdOptions withMaximize(boolean maximize) {
    return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov, maximize);
  }
}
