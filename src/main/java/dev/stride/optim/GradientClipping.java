package dev.stride.optim;

import dev.stride.kernel.GradientKernel;
import dev.stride.kernel.KernelSet;
import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code clip_grad_norm_} and {@code clip_grad_value_} over any list of gradient
 * segments, rewriting them in place: for a caller who wants the clipped gradients themselves.
 * Inside a training step, {@link Optimizer#setClipping} does the same without rewriting them. Runs
 * on the calling thread; the norm is the same reduction the optimizer's step uses, so the two agree
 * to the bit.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Multiplies every gradient by {@code min(1, maxNorm / (total + 1e-6))}, {@code total} being the
   * {@code normType}-norm of all of them together ({@code Double.POSITIVE_INFINITY}: the largest
   * |g|), and returns {@code total}.
   *
   * @throws IllegalArgumentException if {@code grads} is empty, a segment is not a native,
   *     writable, aligned float segment, or an argument is out of range; nothing is changed then
   * @throws NonFiniteNormException if {@code errorIfNonfinite} and the total is NaN or infinite;
   *     nothing is changed then
   */
  public static double clipGradNorm(
      List<MemorySegment> grads, double maxNorm, double normType, boolean errorIfNonfinite) {
    Clipping.ByNorm clipping = new Clipping.ByNorm(maxNorm, normType, errorIfNonfinite);
    KernelSet kernels = KernelSet.standard();
    StepPlan plan = plan(grads);
    GradientStatistics statistics = new GradientStatistics(kernels.get(ReduceKernel.class));
    statistics.prepare(plan, 1, normType, new boolean[] {true}, false, 1, 0);
    plan.runAll(statistics);
    statistics.combine(new ExactSums(), InProcessAllReduce.ALONE);
    double total = statistics.norm();
    if (errorIfNonfinite && !Double.isFinite(total)) {
      throw new NonFiniteNormException(normType, total);
    }
    float factor = clipping.factor(total);
    GradientKernel kernel = kernels.get(GradientKernel.class);
    plan.runAll((worker, chunk, p, offset, count) -> kernel.scale(p.grad, factor, offset, count));
    return total;
  }

  /** {@link #clipGradNorm} by the 2-norm, without errorIfNonfinite. */
  public static double clipGradNorm(List<MemorySegment> grads, double maxNorm) {
    return clipGradNorm(grads, maxNorm, 2, false);
  }

  /**
   * Clamps every gradient element to {@code [−clipValue, clipValue]}.
   *
   * @throws IllegalArgumentException as {@link #clipGradNorm} does, or if {@code clipValue} is
   *     negative or NaN
   */
  public static void clipGradValue(List<MemorySegment> grads, double clipValue) {
    float c = (float) new Clipping.ByValue(clipValue).clipValue();
    GradientKernel kernel = KernelSet.standard().get(GradientKernel.class);
    plan(grads).runAll((worker, chunk, p, offset, count) -> kernel.clamp(p.grad, c, offset, count));
  }

  private static StepPlan plan(List<MemorySegment> grads) {
    if (grads.isEmpty()) {
      throw new IllegalArgumentException("grads must hold at least one gradient, got none");
    }
    List<Parameter> parameters = new ArrayList<>();
    for (int i = 0; i < grads.size(); i++) {
      MemorySegment g = grads.get(i);
      ParamGroup.check("grads[" + i + "]", g);
      parameters.add(
          new Parameter(0, g, g, new long[] {g.byteSize() / Float.BYTES}, false, 0, 0, null));
    }
    return new StepPlan(parameters);
  }
}
