package dev.stride.optim;

import dev.stride.kernel.SgdCoefficients;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.Arena;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximization, as PyTorch's {@code torch.optim.SGD}. With {@code d = maximize ? -g : g}:
 *
 * <pre>
 *   d = d + λ·p                                   if λ ≠ 0
 *   b = d  (first step),  b = μ·b + (1 − τ)·d    if μ ≠ 0
 *   d = nesterov ? d + μ·b : b                    if μ ≠ 0
 *   p = p − η·d
 * </pre>
 */
public final class Sgd extends Optimizer<SgdOptions> {
  private static final int MOMENTUM_BUFFER = 0;
  private final SgdCoefficients coefficients = new SgdCoefficients();

  public Sgd(SgdOptions hyperparameters) {
    this(hyperparameters, defaultKernels());
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Sgd(SgdOptions hyperparameters, UpdateKernels kernels) {
    super(hyperparameters, kernels);
  }

  @Override
  int stateSlots() {
    return 1;
  }

  @Override
  void allocateState(SgdOptions h, Parameter p, Arena arena) {
    if (h.momentum() != 0) {
      p.allocate(MOMENTUM_BUFFER, arena);
    }
  }

  @Override
  void update(SgdOptions h, Parameter p, UpdateKernels kernels) {
    coefficients.set(h.lr(), h.momentum(), h.dampening(), h.weightDecay(), h.nesterov(),
        h.maximize(), p.isFresh(MOMENTUM_BUFFER));
    kernels.sgd(coefficients, p.value, p.grad, p.state(MOMENTUM_BUFFER), 0, p.count);
  }
}
