package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adafactor (Shazeer and Stern, 2018), in PyTorch's {@code torch.optim.Adafactor} and Hugging
 * Face's {@code transformers.Adafactor} forms: the elementwise work of its three passes. A tensor
 * of two or more dimensions (a matrix) keeps its second moment as row and column statistics of its
 * last two dimensions, a vector keeps one per element. With {@code g} after the {@link
 * GradientCoefficients} terms:
 *
 * <pre>
 *   pass 1:  a matrix's row:  s = g·g + ε;  Σ s over the row, and each s into its column's sum
 *                             (ε: transformers' ε1, 0 for torch)
 *            a vector:        v = avg(v, g·g + ε);  U = rsqrt(max(v, floor))·g;  Σ U²
 *   between: the statistics averaged and made into factors r_i (rows) and c_j (columns)
 *   pass 2:  a matrix's row:  U = min(r_i·c_j, cap)·g;  Σ U²
 *   pass 3:  U as in pass 1 or 2
 *            U = U / δ                         (if δ ≠ 1: transformers' clipping)
 *            U = ℓ·U
 *            m = β1·m + (1 − β1)·U;  U = m     (if a first moment: transformers' beta1)
 *            p = κ·p                           (if κ ≠ 1: torch's weight decay)
 *            p = p + ω·p                       (if ω ≠ 0: transformers' weight decay)
 *            p = p − U
 * </pre>
 *
 * where rsqrt(x) = 1/√x, avg is torch's lerp toward the new value by w (two-sided, as torch
 * computes it) or transformers' β̂·v + (1 − β̂)·new, floor = ε1² and cap = rsqrt(ε1²) for torch, −∞
 * and +∞ for transformers. For torch, min(r_i·c_j, cap) with r_i = rsqrt(R_i / max(mean R, ε1)) and
 * c_j = rsqrt(C_j) is rsqrt(max(R_i·C_j / max(mean R, ε1), ε1²)) up to rounding: what PyTorch
 * computes per element with a product, two divisions and a root, here a product and a minimum. Each
 * scalar is a float; products and sums of floats round once each, in the order written. Every Σ is
 * in double in {@link ReduceKernel}'s order: element {@code offset + i} to partial {@code i mod
 * 16}, the partials then added in order; a column's sum adds each s in double, in the order of the
 * calls.
 *
 * <p>Bytes per element: pass 1 reads g (and the caller reads p for RMS(p)), pass 2 reads g, pass 3
 * reads p and g and writes p: 24 for a matrix without a first moment (32 with), against AdamW's 28;
 * a vector also reads and writes v in pass 1 and reads it in pass 3.
 */
public interface AdafactorKernel {
  /** How many partial sums each Σ keeps: {@link ReduceKernel#PARTIALS}. */
  int PARTIALS = ReduceKernel.PARTIALS;

  /**
   * Pass 1 over elements {@code [offset, offset + count)} of one row of a matrix: Σ s, and each s
   * added to {@code columnSums[at + i]}.
   *
   * @param partials {@value #PARTIALS} doubles of workspace
   */
  double sumRow(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      double[] columnSums,
      int at,
      long offset,
      int count,
      double[] partials);

  /**
   * Σ U² over elements {@code [offset, offset + count)}: of a vector ({@code variance} not NULL),
   * after averaging its statistic v (pass 1); of one row of a matrix ({@code variance} NULL), with
   * the row's factor r and the columns' factors from {@code columnFactors[column]} on (pass 2).
   *
   * @param partials {@value #PARTIALS} doubles of workspace
   */
  double sumOfUpdateSquares(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      long offset,
      long count,
      double[] partials);

  /**
   * Pass 3 over elements {@code [offset, offset + count)}: U recomputed as {@link
   * #sumOfUpdateSquares} computed it (a vector's v is not averaged again), then m and p.
   *
   * @param expAvg m; not read or written without a first moment
   */
  void apply(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      long offset,
      long count);

  /** Adafactor's per-tensor scalars, each rounded to float once. Not final: see Adafactor's. */
  class Coefficients extends GradientCoefficients {
    /** torch's lerp toward s: from below, {@code v + w·(s − v)}, for w < 0.5. */
    static final int LERP_FROM_OLD = 0;

    /** torch's lerp toward s: from above, {@code s − (s − v)·(1 − w)}, for w ≥ 0.5. */
    static final int LERP_FROM_NEW = 1;

    /** transformers' average: {@code β̂·v + (1 − β̂)·s}. */
    static final int DECAY = 2;

    int averaging;
    float oldWeight;
    float newWeight;
    float epsilon;
    float floor = Float.NEGATIVE_INFINITY;
    float cap = Float.POSITIVE_INFINITY;
    float clipDivisor = 1;
    float stepSize;
    boolean hasMomentum;
    float beta1;
    float oneMinusBeta1;
    float decayFactor = 1;
    float decayTerm;

    /**
     * torch's average of the statistics at step t: lerp toward the new one by w = t^τ ({@code
     * lerp_}, whose two sides round differently).
     */
    public final Coefficients setLerp(double weight) {
      float w = (float) weight;
      this.averaging = w < 0.5f ? LERP_FROM_OLD : LERP_FROM_NEW;
      this.newWeight = w;
      this.oldWeight = 1 - w;
      return this;
    }

    /** transformers' average of the statistics: β̂·v + (1 − β̂)·s, with β̂ = 1 − t^τ. */
    public final Coefficients setDecay(double betaHat) {
      this.averaging = DECAY;
      this.oldWeight = (float) betaHat;
      this.newWeight = (float) (1 - betaHat);
      return this;
    }

    /**
     * torch's and transformers' ε1: the term added to g² ({@code epsilon}: transformers' ε1, 0 for
     * torch), the floor of a vector's v and the cap of a matrix's factor products (torch's ε1² and
     * rsqrt(ε1²); −∞ and +∞ for transformers).
     */
    public final Coefficients setEpsilon(float epsilon, float floor, float cap) {
      this.epsilon = epsilon;
      this.floor = floor;
      this.cap = cap;
      return this;
    }

    /**
     * The first moment (transformers' beta1), or none for NaN.
     *
     * @param beta1 β1, or NaN for None
     */
    public final Coefficients setMomentum(double beta1) {
      this.hasMomentum = !Double.isNaN(beta1);
      this.beta1 = (float) beta1;
      this.oneMinusBeta1 = (float) (1 - beta1);
      return this;
    }

    /**
     * The step, once the update's RMS is known: δ, ℓ, κ and ω of pass 3.
     *
     * @param clipDivisor δ, 1 for none
     * @param decayFactor κ, 1 for none
     * @param decayTerm ω, 0 for none
     */
    public final Coefficients setStep(
        float clipDivisor, float stepSize, float decayFactor, float decayTerm) {
      this.clipDivisor = clipDivisor;
      this.stepSize = stepSize;
      this.decayFactor = decayFactor;
      this.decayTerm = decayTerm;
      return this;
    }

    /** torch's maximize: g = −g (transformers has none). */
    public final Coefficients setMaximize(boolean maximize) {
      setGradientTerms(maximize, 0);
      return this;
    }

    /** avg(v, s): the average a statistic takes this step, as pass 1 averages a vector's. */
    public final float average(float old, float now) {
      return switch (averaging) {
        case LERP_FROM_OLD -> old + newWeight * (now - old);
        case LERP_FROM_NEW -> now - (now - old) * oldWeight;
        default -> old * oldWeight + newWeight * now;
      };
    }
  }
}
