package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Schedule-Free AdamW in the memory-lean form: the parameters hold the gradient point y, the state
 * holds z, v and, with inner momentum, m; the averaged point x is implied ({@code
 * dev.stride.optim.AdamWScheduleFree} derives w and e and says why). With {@code g} after the
 * {@link GradientCoefficients} terms (no L2 term: λ2 = 0) and the group's step t:
 *
 * <pre>
 *   v  = β2·v + (1 − β2)·g²
 *   s  = √v · (1 / √(1 − β2^t)) + ε
 *   u  = g                                    if μi = 0
 *   m  = μi·m + (1 − μi)·g;  u = m · (1 / (1 − μi^t))       otherwise
 *   z₀ = y                                    on a parameter's first step, else z
 *   d  = u / s + λ·(decayAtZ ? z₀ : y)         the decay term if λ ≠ 0
 *   y  = y + w·(z₀ − y) + e·d
 *   z  = z₀ − γ·d
 * </pre>
 *
 * Multiplying by the per-step reciprocals where the reference divides v by 1 − β2^t and m by 1 −
 * μi^t leaves one division per element; it moves results by about an ulp.
 */
public interface AdamWScheduleFreeKernel {

  /**
   * @param z the reference's {@code z}; not read on the first step
   * @param expAvgSq {@code v}
   * @param expAvg {@code m}; not read or written unless μi ≠ 0
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment z,
      MemorySegment expAvgSq,
      MemorySegment expAvg,
      long offset,
      long count);

  /** The step's scalars, computed once per group in double, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float averageWeight;
    float gradientWeight;
    float beta2;
    float oneMinusBeta2;

    /** 1 / √(1 − β2^t). */
    float invSqrtBiasCorrection2;

    float eps;
    float decay;
    boolean decayAtZ;
    boolean innerMomentum;
    float momentum;
    float oneMinusMomentum;

    /** 1 / (1 − μi^t). */
    float invBiasCorrection1;

    boolean firstStep;

    /**
     * @param lr γ, the step's rate (warmup included)
     * @param averageWeight w, how far y moves toward z
     * @param gradientWeight e, the weight of the step direction d in y
     * @param weightDecay λ, applied at z₀ if {@code decayAtZ}, else at y
     * @param innerMomentum μi
     * @param step t, the group's step being taken, from 1
     * @param firstStep whether z is being created by this step
     */
    public Coefficients set(
        double lr,
        double averageWeight,
        double gradientWeight,
        double beta2,
        double eps,
        double weightDecay,
        boolean decayAtZ,
        double innerMomentum,
        long step,
        boolean firstStep) {
      setGradientTerms(false, 0);
      this.lr = (float) lr;
      this.averageWeight = (float) averageWeight;
      this.gradientWeight = (float) gradientWeight;
      this.beta2 = (float) beta2;
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.invSqrtBiasCorrection2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
      this.eps = (float) eps;
      this.decay = (float) weightDecay;
      this.decayAtZ = decayAtZ;
      this.innerMomentum = innerMomentum != 0;
      this.momentum = (float) innerMomentum;
      this.oneMinusMomentum = (float) (1 - innerMomentum);
      this.invBiasCorrection1 = (float) (1 / (1 - Math.pow(innerMomentum, step)));
      this.firstStep = firstStep;
      return this;
    }
  }
}
