package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * LARS, as the barlowtwins {@code LARS} (which VISSL copies). With {@code u} the gradient after the
 * {@link GradientCoefficients} terms, whose L2 term is LARS's weight decay (skipped for 1-D tensors
 * with the weight-decay filter):
 *
 * <pre>
 *   u = g + λ·p
 *   q = fl32(η_trust·‖p‖) / ‖u‖, or 1 if either norm is 0 (or a 1-D tensor under the
 *       adaptation filter)                                        (per tensor, float32)
 *   μ = m·μ + q·u                                                 (m: momentum)
 *   p = p − η·μ
 * </pre>
 *
 * Two passes, since q needs both norms of the whole tensor: {@link #direction} writes u for the
 * norms (reading p and g, writing nothing of the tensor's), {@link #apply} recomputes u and updates
 * μ and p. Bytes per element: 8, then 20.
 */
public interface LarsKernel {

  /**
   * u written to {@code direction}: element {@code i} of the tensor goes to element {@code i −
   * base} of {@code direction} (a chunk's scratch, with {@code base} the chunk's start).
   */
  void direction(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment direction,
      long base,
      long offset,
      long count);

  /** μ = m·μ + q·u, p = p − η·μ, u recomputed as {@link #direction} computed it. */
  void apply(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment mu,
      long offset,
      long count);

  /** LARS's per-step scalars, and the tensor's q once its norms are known. */
  final class Coefficients extends GradientCoefficients {
    float lr;
    float momentum;
    float eta;

    /** q, set by {@link #setTrust} between the passes. */
    float trust;

    /**
     * @param weightDecay λ for this tensor: 0 where the weight-decay filter excludes it
     */
    public Coefficients set(double lr, double momentum, double eta, double weightDecay) {
      setGradientTerms(false, weightDecay);
      this.lr = (float) lr;
      this.momentum = (float) momentum;
      this.eta = (float) eta;
      return this;
    }

    /** q from the tensor's norms, in float32 as the reference computes it. */
    public Coefficients setTrust(float paramNorm, float directionNorm, boolean adapt) {
      this.trust =
          adapt && paramNorm > 0 && directionNorm > 0 ? eta * paramNorm / directionNorm : 1;
      return this;
    }
  }
}
