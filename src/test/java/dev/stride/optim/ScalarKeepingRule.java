package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.SgdKernel;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * SGD whose rate decays per parameter through two numbers it keeps beside its buffer and step, as
 * ASGD keeps {@code eta} and {@code mu}: a stand-in that puts {@link Optimizer#scalarKeys()} through
 * the checkpoint tests while no rule of Stride's keeps any. It reads and writes SGD's
 * hyperparameters, under SGD's name.
 */
final class ScalarKeepingRule extends Optimizer<SgdOptions> {
  private final SgdKernel kernel;

  ScalarKeepingRule(SgdOptions hyperparameters) {
    super(hyperparameters, defaultKernels());
    kernel = kernels.sgd();
  }

  @Override
  public String pytorchName() {
    return "SGD";
  }

  @Override
  List<String> stateKeys() {
    return List.of("momentum_buffer");
  }

  @Override
  List<String> scalarKeys() {
    return List.of("eta", "mu");
  }

  @Override
  boolean pytorchKeepsStep() {
    return true;
  }

  @Override
  void allocateState(SgdOptions h, Parameter p, Arena arena) {
    if (h.momentum() != 0) {
      p.allocate(0, arena);
    }
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new SgdKernel.Coefficients();
  }

  /** η decays by a tenth each step from 1; μ adds up the η used. */
  @Override
  void prepare(SgdOptions h, Parameter p) {
    if (p.step == 0) {
      p.scalars[0] = 1;
      p.scalars[1] = 0;
    }
    double eta = p.scalars[0];
    p.scalars[0] = eta * 0.9;
    p.scalars[1] += eta;
    p.<SgdKernel.Coefficients>coefficients().set(h.lr() * eta, h.momentum(), h.dampening(),
        h.weightDecay(), h.nesterov(), h.maximize(), p.isFresh(0));
  }

  @Override
  void update(Parameter p, long offset, long count) {
    kernel.update(p.coefficients(), p.value, p.grad, p.state(0), offset, count);
  }
}
