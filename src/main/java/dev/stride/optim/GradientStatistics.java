package dev.stride.optim;

import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;

/**
 * One read of the gradients (or the values) of a plan's parameters: per chunk, the covered
 * parameters' Σ|x|^q (the largest |x| for q = ∞) and every parameter's Σ x², which in double is
 * finite exactly when every element is. Before a step, for clipping by norm and for the non-finite
 * guard; on its own, for {@link Optimizer#gradientNorms}. The chunk results are combined by {@link
 * ExactSums}, through the optimizer's {@link AllReduce} when it is sharded, so the totals are the
 * same for any number of threads and of shards.
 */
final class GradientStatistics implements ChunkTask {
  private static final int NORM = 0;
  private static final int SQUARES = 1;
  private static final int MAXIMA = 2;
  private static final int TENSORS = 3;

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

  /** The tensors whose norms it finds one by one ({@link Parameter#index}); 0 for none. */
  private int tensors;

  private ExactSums sums;

  GradientStatistics(ReduceKernel reduce) {
    this.reduce = reduce;
  }

  /**
   * Makes ready to run over {@code plan} on {@code threads} threads. Allocates only when the plan
   * grew or the thread count changed.
   *
   * @param clippedGroups the groups whose gradients the norm covers, or null for no norm
   * @param guard whether to find out if every gradient is finite once multiplied by {@code unscale}
   * @param tensors how many tensors to find each norm of, by {@link Parameter#index}; 0 for none
   */
  void prepare(
      StepPlan plan,
      int threads,
      double normType,
      boolean[] clippedGroups,
      boolean guard,
      float unscale,
      int tensors) {
    this.plan = plan;
    this.normType = normType;
    this.clippedGroups = clippedGroups;
    this.guard = guard;
    this.unscale = unscale;
    this.tensors = tensors;
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
    boolean norm = tensors > 0 || clippedGroups != null && clippedGroups[p.group];
    if (norm) {
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
          norm && normType == 2 ? normSums[chunk] : reduce.sumOfSquares(x, offset, count, l);
      if (unscale > 1) {
        maxima[chunk] = reduce.maxAbs(x, offset, count);
      }
    }
  }

  /**
   * Combines the chunks' results, through {@code allReduce} (every rank's chunks) into {@code
   * sums}: call once after the read, before {@link #norm}, {@link #norm(int)} and {@link
   * #allFinite}.
   */
  void combine(ExactSums sums, AllReduce allReduce) {
    this.sums = sums;
    int slots = TENSORS + tensors;
    // maxima need no second pass, nor does the guard alone
    boolean adds = normType != Double.POSITIVE_INFINITY && (clippedGroups != null || tensors > 0);
    sums.begin(slots);
    for (int pass = 0; pass < (adds ? 2 : 1); pass++) {
      for (int c = 0; c < plan.chunks(); c++) {
        Parameter p = plan.parameters[plan.chunkParameter[c]];
        double x = normSums[c];
        boolean clipped = clippedGroups != null && clippedGroups[p.group];
        if (pass == 0) {
          if (clipped) {
            sums.observe(NORM, x);
          }
          if (tensors > 0) {
            sums.observe(TENSORS + p.index, x);
          }
          if (guard) {
            sums.observe(SQUARES, squares[c]);
            if (unscale > 1) {
              sums.observe(MAXIMA, maxima[c]);
            }
          }
        } else {
          if (clipped) {
            sums.add(NORM, x);
          }
          if (tensors > 0) {
            sums.add(TENSORS + p.index, x);
          }
        }
      }
      if (pass == 0) {
        sums.shareLargest(allReduce, slots);
      } else {
        sums.shareSums(allReduce, slots);
      }
    }
  }

  /** The norm of tensor {@code index} ({@link Parameter#index}) alone. */
  double norm(int index) {
    return total(TENSORS + index);
  }

  /**
   * Whether every gradient element is finite, also once unscaled: Σ g² in double overflows for no
   * float, and an unscale above 1 (a scale below 1) may overflow the largest |g|.
   */
  boolean allFinite() {
    return sums.allFinite(SQUARES) && Float.isFinite((float) sums.max(MAXIMA) * unscale);
  }

  /** The norm of the clipped gradients together: (Σ|g|^q)^(1/q), or the largest |g|. */
  double norm() {
    return total(NORM);
  }

  private double total(int slot) {
    if (normType == Double.POSITIVE_INFINITY) {
      return sums.max(slot);
    }
    double sum = sums.sum(slot);
    return normType == 1 ? sum : normType == 2 ? Math.sqrt(sum) : Math.pow(sum, 1 / normType);
  }
}
