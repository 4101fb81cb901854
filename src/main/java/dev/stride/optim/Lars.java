package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.LarsKernel;
import dev.stride.kernel.ReduceKernel;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * LARS, layer-wise adaptive rate scaling for large batches, as barlowtwins' {@code LARS} (see
 * FORMAT.md for how it differs from the paper). With g plus the group's L1 term λ1·sign(p):
 *
 * <pre>
 *   u = g + λ·p                          (not for 1-D tensors with weightDecayFilter)
 *   q = η_trust·‖p‖ / ‖u‖                (1 if either is 0, or a 1-D tensor with larsAdaptationFilter)
 *   μ = m·μ + q·u
 *   p = p − η·μ
 * </pre>
 *
 * 1-D means registered with a one-dimensional shape ({@link ParamGroup#add(java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment, long...)}; a parameter registered without one is 1-D). Norms
 * are per tensor and the same for any number of threads. A step makes two passes: one reads p and
 * g and sums ‖p‖² and ‖u‖² per chunk, the other updates μ and p (28 bytes per element in all).
 * State: {@code mu}.
 */
public final class Lars extends Optimizer<LarsOptions> {
  private static final List<String> STATE_KEYS = List.of("mu");
  private static final int MU = 0;
  private final LarsKernel kernel;
  private final ReduceKernel reduce;

  public Lars(LarsOptions hyperparameters) {
    this(hyperparameters, defaultKernels());
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Lars(LarsOptions hyperparameters, UpdateKernels kernels) {
    super(hyperparameters, kernels);
    this.kernel = kernels.lars();
    this.reduce = kernels.reduce();
  }

  @Override
  public String pytorchName() {
    return "LARS";
  }

  @Override
  List<String> stateKeys() {
    return STATE_KEYS;
  }

  @Override
  boolean pytorchKeepsStep() {
    return false;
  }

  @Override
  void allocateState(LarsOptions h, Parameter p, StateMemory memory) {
    p.allocate(MU, memory);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new LarsKernel.Coefficients();
  }

  @Override
  boolean sharesCoefficients() {
    return false; // each tensor its q
  }

  @Override
  void prepare(LarsOptions h, Parameter p) {
    boolean decays = !(h.weightDecayFilter() && p.shape.length == 1);
    p.<LarsKernel.Coefficients>coefficients().set(h.lr(), h.momentum(), h.eta(),
        decays ? h.weightDecay() : 0);
  }

  @Override
  int passes() {
    return 2;
  }

  @Override
  int chunkResults() {
    return 2;
  }

  @Override
  void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    LarsKernel.Coefficients c = p.coefficients();
    if (pass == 0) {
      MemorySegment u = scratch(worker, 0);
      double[] lanes = lanes(worker);
      kernel.direction(c, p.value, p.grad, u, offset, offset, count);
      setChunkResult(chunk, 0, reduce.sumOfSquares(p.value, offset, count, lanes));
      setChunkResult(chunk, 1, reduce.sumOfSquares(u, 0, count, lanes));
    } else {
      kernel.apply(c, p.value, p.grad, p.state(MU), offset, count);
    }
  }

  @Override
  boolean betweenPasses(int pass) {
    Parameter[] parameters = planParameters();
    for (int j = 0; j < parameters.length; j++) {
      Parameter p = parameters[j];
      boolean adapt = !(group(p.group).hyperparameters().larsAdaptationFilter() && p.shape.length == 1);
      p.<LarsKernel.Coefficients>coefficients().setTrust((float) Math.sqrt(sumOfChunkResults(j, 0)),
          (float) Math.sqrt(sumOfChunkResults(j, 1)), adapt);
    }
    return true;
  }
}
