package dev.stride.optim;

import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;

/**
 * A rule that scales each tensor's update by a trust ratio of ‖p‖ and ‖u‖, u the rule's update
 * direction (LAMB, LARS). A step makes two passes: the first writes each chunk's u to the worker's
 * scratch and sums ‖p‖² and ‖u‖² per chunk; between them each tensor's norms, its chunks' sums
 * added exactly (over every rank's part of a tensor that straddles shards), set its coefficients;
 * the second recomputes u and applies it, so u is never kept.
 *
 * @param <H> the rule's hyperparameters
 */
abstract class TrustRatioOptimizer<H extends Hyperparameters<H>> extends Optimizer<H> {
  private static final int PARAM_NORM = 0;
  private static final int DIRECTION_NORM = 1;
  private final ReduceKernel reduce = kernel(ReduceKernel.class);

  /** Per plan parameter: ‖p‖² and ‖u‖², from {@link #parameterSums}. */
  private double[] norms = new double[0];

  TrustRatioOptimizer(Rule<H> rule, H hyperparameters, Kernels kernels) {
    super(rule, hyperparameters, kernels);
  }

  /**
   * The first pass over elements {@code [offset, offset + count)} of {@code p}: the state it
   * updates, and u written to {@code direction} from its element 0.
   */
  abstract void direction(Parameter p, MemorySegment direction, long offset, long count);

  /** The second pass: u recomputed as {@link #direction} computed it, and applied. */
  abstract void apply(Parameter p, long offset, long count);

  /** Sets {@code p}'s trust ratio from its norms, each rounded to float. */
  abstract void setTrust(H h, Parameter p, float paramNorm, float directionNorm);

  @Override
  final boolean sharesCoefficients() {
    return false; // each tensor its trust ratio
  }

  @Override
  final boolean stepsPerTensor() {
    return true;
  }

  @Override
  final int chunkResults() {
    return 2;
  }

  @Override
  final void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    if (pass == 0) {
      MemorySegment u = scratch(worker, 0);
      double[] partials = partials(worker);
      direction(p, u, offset, count);
      setChunkResult(chunk, PARAM_NORM, reduce.sumOfSquares(p.value, offset, count, partials));
      setChunkResult(chunk, DIRECTION_NORM, reduce.sumOfSquares(u, 0, count, partials));
    } else {
      apply(p, offset, count);
    }
  }

  @Override
  final boolean betweenPasses(int pass) {
    Parameter[] parameters = planParameters();
    if (norms.length < 2 * parameters.length) {
      norms = new double[2 * parameters.length];
    }
    parameterSums(norms);
    for (int j = 0; j < parameters.length; j++) {
      Parameter p = parameters[j];
      setTrust(
          group(p.group).hyperparameters(),
          p,
          (float) Math.sqrt(norms[2 * j + PARAM_NORM]),
          (float) Math.sqrt(norms[2 * j + DIRECTION_NORM]));
    }
    return true;
  }
}
