package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Prodigy, as konstmish's {@code prodigyopt.Prodigy}: Adam whose step size is an estimate d of the
 * distance to the solution, one number for all tensors. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is the coupled weight decay, when not decoupled), d the estimate
 * after the previous step and dlr = d·lr·bias correction:
 *
 * <pre>
 *   pass 1:  m = β1·m + d·(1 − β1)·g                       (if β1 > 0)
 *            v = β2·v + d²·(1 − β2)·g·g
 *            s = β3·s + a·g,   a = (d/d0)·(safeguard ? d : dlr)
 *            and, for the estimate: g and p0 − p, to take ⟨g, p0 − p⟩; then Σ|s|
 *   between: d' from all tensors' sums (see {@code dev.stride.optim.Prodigy})
 *   pass 2:  den = √v + d'·ε
 *            p = p − λ·dlr·p                                (decoupled weight decay, if λ ≠ 0)
 *            p = p − dlr·m / den      if β1 > 0,   p = p − dlr·d'·g / den   otherwise
 * </pre>
 *
 * Each product of a scalar and a tensor rounds the scalar to float32 first, as the reference's
 * tensor operations do. Bytes per element: 36 (read p, g, p0, m, v, s; write m, v, s), then 16
 * (read p, m, v; write p); the chunk's g and p0 − p go to per-thread scratch, read again from
 * cache.
 */
public interface ProdigyKernel {

  /**
   * Pass 1: m, v and s; g and p0 − p written to {@code gradOut} and {@code diffOut}, element {@code
   * i} of the tensor at element {@code i − base}.
   *
   * @param expAvg {@code m}; not read or written when β1 = 0
   */
  void moments(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment initial,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      MemorySegment s,
      MemorySegment gradOut,
      MemorySegment diffOut,
      long base,
      long offset,
      long count);

  /** Pass 2: the step with the new estimate. */
  void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long offset,
      long count);

  /** Prodigy's per-step scalars of both passes, each rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    boolean hasMomentum;
    float beta1;

    /** fl32(d·(1 − β1)). */
    float momentumScale;

    float beta2;

    /** fl32(d²·(1 − β2)). */
    float squareScale;

    float beta3;

    /** fl32(a). */
    float sScale;

    /** fl32(d'·ε). */
    float dEps;

    boolean decays;

    /** fl32(λ·dlr). */
    float decay;

    /** fl32(dlr), or fl32(dlr·d') without momentum. */
    float stepScale;

    /**
     * The first pass's scalars.
     *
     * @param coupledWeightDecay λ added to the gradient (0 when the decay is decoupled)
     */
    public Coefficients set(
        double d,
        double d0,
        double dlr,
        double beta1,
        double beta2,
        double beta3,
        double coupledWeightDecay,
        boolean safeguardWarmup) {
      setGradientTerms(false, coupledWeightDecay);
      this.hasMomentum = beta1 > 0;
      this.beta1 = (float) beta1;
      this.momentumScale = (float) (d * (1 - beta1));
      this.beta2 = (float) beta2;
      this.squareScale = (float) (d * d * (1 - beta2));
      this.beta3 = (float) beta3;
      this.sScale = (float) ((d / d0) * (safeguardWarmup ? d : dlr));
      return this;
    }

    /**
     * The second pass's scalars, once the new estimate is known.
     *
     * @param decoupledWeightDecay λ of the decoupled decay (0 when coupled)
     */
    public Coefficients setStep(double newD, double dlr, double eps, double decoupledWeightDecay) {
      this.dEps = (float) (newD * eps);
      this.decays = decoupledWeightDecay != 0;
      this.decay = (float) (decoupledWeightDecay * dlr);
      this.stepScale = (float) (hasMomentum ? dlr : dlr * newD);
      return this;
    }
  }
}
