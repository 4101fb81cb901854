package dev.stride.optim;

import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;

/**
 * One read of the gradients (or the values) of a plan's parameters: per chunk, the covered
 * parameters' Σ|x|^q (the largest |x| for q = ∞) and every parameter's Σ x², which in double is
 * finite exactly when every element is. Before a step, for clipping by norm and for the non-finite
 * guard; on its own, for {@link Optimizer#gradientNorms}. The chunk results are combined in chunk
 * order, so the totals are the same for any number of threads.
 */
final class GradientStatistics implements ChunkTask {
  private final ReduceKernel reduce;
  private double[][] partials = new double[0][];
  private double[] normSums = new double[0];
  private double[] squares = new double[0];
  private float[] maxima = new float[0];
  private StepPlan plan;
  private double normType;

  /** Whether the parameters of group g are clipped by norm; null: none is. */
  private boolean[] clippedGroups;

  private boolean guard;
  private float unscale;

  /** Whether it reads the parameters' values instead of their gradients. */
  private boolean values;

  GradientStatistics(ReduceKernel reduce) {
    this.reduce = reduce;
  }

  /**
   * Makes ready to run over {@code plan} on {@code threads} threads. Allocates only when the plan
   * grew or the thread count changed.
   *
   * @param clippedGroups the groups whose gradients the norm covers, or null for no norm
   * @param guard whether to find out if every gradient is finite once multiplied by {@code unscale}
   */
  void prepare(
      StepPlan plan,
      int threads,
      double normType,
      boolean[] clippedGroups,
      boolean guard,
      float unscale) {
    this.plan = plan;
    this.normType = normType;
    this.clippedGroups = clippedGroups;
    this.guard = guard;
    this.unscale = unscale;
    this.values = false;
    if (partials.length != threads) {
      partials = new double[threads][ReduceKernel.PARTIALS];
    }
    if (normSums.length < plan.chunks()) {
      normSums = new double[plan.chunks()];
      squares = new double[plan.chunks()];
      maxima = new float[plan.chunks()];
    }
  }

  /** Reads the values instead of the gradients, until the next {@link #prepare}. */
  void readValues() {
    values = true;
  }

  @Override
  public void run(int worker, int chunk, Parameter p, long offset, long count) {
    double[] l = partials[worker];
    MemorySegment x = values ? p.value : p.grad;
    boolean clipped = clippedGroups != null && clippedGroups[p.group];
    if (clipped) {
      normSums[chunk] =
          normType == 2
              ? reduce.sumOfSquares(x, offset, count, l)
              : normType == 1
                  ? reduce.sumOfAbs(x, offset, count, l)
                  : normType == Double.POSITIVE_INFINITY
                      ? reduce.maxAbs(x, offset, count)
                      : reduce.sumOfAbsPow(x, offset, count, normType, l);
    }
    if (guard) {
      squares[chunk] =
          clipped && normType == 2 ? normSums[chunk] : reduce.sumOfSquares(x, offset, count, l);
      if (unscale > 1) {
        maxima[chunk] = reduce.maxAbs(x, offset, count);
      }
    }
  }

  /** The norm of plan parameter {@code j} alone. */
  double norm(int j) {
    boolean max = normType == Double.POSITIVE_INFINITY;
    double total = 0;
    for (int c = plan.firstChunk[j]; c < plan.firstChunk[j + 1]; c++) {
      total = max ? Math.max(total, normSums[c]) : total + normSums[c];
    }
    return root(total);
  }

  /**
   * Whether every gradient element is finite, also once unscaled: Σ g² in double overflows for no
   * float, and an unscale above 1 (a scale below 1) may overflow the largest |g|.
   */
  boolean allFinite() {
    double sum = 0;
    float max = 0;
    for (int c = 0; c < plan.chunks(); c++) {
      sum += squares[c];
      if (unscale > 1) {
        max = Math.max(max, maxima[c]);
      }
    }
    return Double.isFinite(sum) && Float.isFinite(max * unscale);
  }

  /** The norm of the clipped gradients together: (Σ|g|^q)^(1/q), or the largest |g|. */
  double norm() {
    boolean max = normType == Double.POSITIVE_INFINITY;
    double total = 0;
    for (int c = 0; c < plan.chunks(); c++) {
      if (clippedGroups[plan.parameters[plan.chunkParameter[c]].group]) {
        total = max ? Math.max(total, normSums[c]) : total + normSums[c];
      }
    }
    return root(total);
  }

  private double root(double sum) {
    return normType == Double.POSITIVE_INFINITY || normType == 1
        ? sum
        : normType == 2 ? Math.sqrt(sum) : Math.pow(sum, 1 / normType);
  }
}
