package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Rprop, PyTorch's {@code torch.optim.Rprop}: each element moves by its own step size in the
 * direction against its gradient's sign, the step size growing while that sign holds and shrinking
 * when it flips. With {@code g} after the {@link GradientCoefficients} terms (Rprop has no weight
 * decay of its own) and {@code prev} the previous step's {@code g}:
 *
 * <pre>
 *   f    = η+ if g·prev &gt; 0,  η− if g·prev &lt; 0,  1 otherwise (a zero or NaN product)
 *   step = min(max(step·f, Δmin), Δmax)
 *   g    = 0 where g·prev &lt; 0: after a flip the element waits a step
 *   p    = p − sign(g)·step          sign(±0) = sign(NaN) = 0, as PyTorch's
 *   prev = g
 * </pre>
 */
public interface RpropKernel {

  /**
   * @param prev the previous step's gradient, after the sign rule
   * @param stepSize each element's step size
   */
  void update(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment prev,
      MemorySegment stepSize,
      long offset,
      long count);

  /** Rprop's constants, rounded to float once. */
  final class Coefficients extends GradientCoefficients {
    float etaMinus;
    float etaPlus;
    float stepSizeMin;
    float stepSizeMax;

    /** η− and η+ (PyTorch's {@code etas}), and the step sizes' range [Δmin, Δmax]. */
    public Coefficients set(
        double etaMinus, double etaPlus, double stepSizeMin, double stepSizeMax, boolean maximize) {
      setGradientTerms(maximize, 0);
      this.etaMinus = (float) etaMinus;
      this.etaPlus = (float) etaPlus;
      this.stepSizeMin = (float) stepSizeMin;
      this.stepSizeMax = (float) stepSizeMax;
      return this;
    }
  }
}
