package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Weight averaging: a parameter's running average {@code a} folds in its current value {@code p},
 * after {@code n} values folded in before:
 *
 * <pre>
 *   a = p                         the first (n = 0): a copy, as PyTorch's AveragedModel takes
 *   a = d·a + (1 − d)·p           EMA of decay d (PyTorch's get_ema_avg_fn, Keras's use_ema)
 *   a = a + (p − a) / (n + 1)     SWA, the running mean (AveragedModel's default avg_fn)
 * </pre>
 *
 * in float32 as PyTorch computes them: {@code d} and {@code 1 − d} (taken in double) rounded to
 * float once, {@code n + 1} as a float, and a true division. Reads {@code p}, reads and writes
 * {@code a}: 12 bytes per element.
 */
public interface AveragingKernel {

  void update(Coefficients c, MemorySegment average, MemorySegment param, long offset, long count);

  /** The fold's per-update scalars. */
  final class Coefficients {
    boolean copy;
    boolean mean;
    float decay;
    float oneMinusDecay;
    float count;

    /** An exponential moving average of decay {@code decay}, {@code n} values folded in so far. */
    public Coefficients ema(double decay, long n) {
      this.copy = n == 0;
      this.mean = false;
      this.decay = (float) decay;
      this.oneMinusDecay = (float) (1 - decay);
      return this;
    }

    /** The running mean of {@code n} values so far, and the one folded in now. */
    public Coefficients swa(long n) {
      this.copy = n == 0;
      this.mean = true;
      this.count = (float) (n + 1);
      return this;
    }
  }
}
