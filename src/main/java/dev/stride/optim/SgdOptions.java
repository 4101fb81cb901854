package dev.stride.optim;

import dev.stride.internal.Args;

/**
 * SGD's hyperparameters, PyTorch's names and checks: {@code lr} η, {@code momentum} μ,
 * {@code dampening} τ, {@code weightDecay} λ, {@code nesterov} and {@code maximize}.
 */
public record SgdOptions(double lr, double momentum, double dampening, double weightDecay,
    boolean nesterov, boolean maximize) implements Hyperparameters<SgdOptions> {

  public SgdOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("momentum", momentum);
    Args.nonNegative("dampening", dampening);
    Args.nonNegative("weightDecay", weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening = 0, got momentum "
          + momentum + " and dampening " + dampening);
    }
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
