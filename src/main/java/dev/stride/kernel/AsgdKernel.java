package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Averaged SGD, PyTorch's {@code torch.optim.ASGD}. With {@code g} after the {@link
 * GradientCoefficients} terms (λ2 is ASGD's weight decay), and the parameter's own rate η_t and
 * averaging weight μ_t, float32 numbers as PyTorch keeps them:
 *
 * <pre>
 *   p   = (1 − λ·η_t)·p                  λ: lambd, the decay term
 *   p   = p − η_t·g
 *   ax  = μ_t = 1 ? p : ax + (p − ax)·μ_t
 *   η_1 = η,  η_{t+1} = η / (1 + λ·η·t)^α       after step t, in double, then rounded
 *   μ_1 = 1,  μ_{t+1} = 1 / max(1, t − t0)      after step t, in double, then rounded
 * </pre>
 *
 * So {@code ax} copies {@code p} up to step t0 + 2 and is, from then on, the mean of the iterates
 * since step t0 + 2 (for a whole t0): PyTorch's averaging starts two steps after t0.
 */
public interface AsgdKernel {

  /**
   * @param ax the averaged parameters
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment ax,
      long offset,
      long count);

  /** ASGD's per-step scalars, from the parameter's η_t and μ_t. */
  final class Coefficients extends GradientCoefficients {
    /** 1 − λ·η_t. */
    float decay;

    float eta;
    float mu;

    /** μ_t ≠ 1: ax moves towards p instead of copying it. */
    boolean averaging;

    /** η_{t+1}, the rate the step after step {@code step} takes: a float32 number. */
    public static double nextEta(double lr, double lambd, double alpha, long step) {
      return (float) (lr / Math.pow(1 + lambd * lr * step, alpha));
    }

    /** μ_{t+1}, the averaging weight of the step after step {@code step}: a float32 number. */
    public static double nextMu(double t0, long step) {
      return (float) (1 / Math.max(1, step - t0));
    }

    /**
     * @param eta η_t: the group's rate rounded to float32 at the first step, else {@link #nextEta}
     *     of the step before
     * @param mu μ_t: 1 at the first step, else {@link #nextMu} of the step before
     */
    public Coefficients set(
        double lambd, double eta, double mu, double weightDecay, boolean maximize) {
      setGradientTerms(maximize, weightDecay);
      this.decay = (float) (1 - lambd * eta);
      this.eta = (float) eta;
      this.mu = (float) mu;
      this.averaging = this.mu != 1;
      return this;
    }
  }
}
