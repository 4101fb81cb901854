package dev.stride.optim;

import dev.stride.kernel.ReduceKernel;

/**
 * One read of the gradients before a step, for clipping by norm and for the non-finite guard: per
 * chunk, the clipped parameters' Σ|g|^q (the largest |g| for q = ∞) and every parameter's Σ g²,
 * which in double is finite exactly when every element is. The chunk results are combined in
 * chunk order, so the totals are the same for any number of threads.
 */
final class GradientStatistics implements ChunkTask {
  private final ReduceKernel reduce;
  private double[][] lanes = new double[0][];
  private double[] normSums = new double[0];
  private double[] squares = new double[0];
  private float[] maxima = new float[0];
  private StepPlan plan;
  private double normType;
  /** Whether the parameters of group g are clipped by norm; null: none is. */
  private boolean[] clippedGroups;
  private boolean guard;
  private float unscale;

  GradientStatistics(ReduceKernel reduce) {
    this.reduce = reduce;
  }

  /**
   * Makes ready to run over {@code plan} on {@code threads} threads. Allocates only when the plan
   * grew or the thread count changed.
   *
   * @param clippedGroups the groups whose gradients the norm covers, or null for no norm
   * @param guard whether to find out if every gradient is finite once multiplied by
   *     {@code unscale}
   */
  void prepare(StepPlan plan, int threads, double normType, boolean[] clippedGroups, boolean guard,
      float unscale) {
    this.plan = plan;
    this.normType = normType;
    this.clippedGroups = clippedGroups;
    this.guard = guard;
    this.unscale = unscale;
    if (lanes.length != threads) {
      lanes = new double[threads][ReduceKernel.PARTIALS];
    }
    if (normSums.length < plan.chunks()) {
      normSums = new double[plan.chunks()];
      squares = new double[plan.chunks()];
      maxima = new float[plan.chunks()];
    }
  }

  @Override
  public void run(int worker, int chunk, Parameter p, long offset, long count) {
    double[] l = lanes[worker];
    boolean clipped = clippedGroups != null && clippedGroups[p.group];
    if (clipped) {
      normSums[chunk] = normType == 2 ? reduce.sumOfSquares(p.grad, offset, count, l)
          : normType == 1 ? reduce.sumOfAbs(p.grad, offset, count, l)
          : normType == Double.POSITIVE_INFINITY ? reduce.maxAbs(p.grad, offset, count)
          : reduce.sumOfAbsPow(p.grad, offset, count, normType, l);
    }
    if (guard) {
      squares[chunk] = clipped && normType == 2 ? normSums[chunk]
          : reduce.sumOfSquares(p.grad, offset, count, l);
      if (unscale > 1) {
        maxima[chunk] = reduce.maxAbs(p.grad, offset, count);
      }
    }
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
    return max ? total : normType == 2 ? Math.sqrt(total)
        : normType == 1 ? total : Math.pow(total, 1 / normType);
  }
}
