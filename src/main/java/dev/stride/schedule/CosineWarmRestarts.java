package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * Cosine annealing with warm restarts (SGDR; PyTorch's {@code CosineAnnealingWarmRestarts}, Keras's
 * {@code CosineDecayRestarts}). Period {@code i} lasts {@code T_i = t0 · tMult^i} steps; at step
 * {@code t}, {@code T_cur} steps into period {@code i}:
 *
 * <p>{@code η(t) = ηmin + (η0 − ηmin) · mMul^i · (1 + cos(π · T_cur / T_i)) / 2}.
 *
 * <p>{@code mMul} (Keras's {@code m_mul}) shrinks each restart's peak; PyTorch's form has {@code
 * mMul = 1}. Keras's {@code alpha} is {@code ηmin = alpha · η0}.
 */
public record CosineWarmRestarts(double initial, double min, long t0, long tMult, double mMul)
    implements Schedule {
  public CosineWarmRestarts {
    Args.nonNegative("initial", initial);
    Args.nonNegative("min", min);
    Args.positive("t0", t0);
    if (tMult < 1) {
      throw new IllegalArgumentException("tMult must be >= 1, got " + tMult);
    }
    Args.nonNegative("mMul", mMul);
  }

  @Override
  public double valueAt(long step) {
    long tCur = Args.step(step);
    long period = t0;
    int restarts = 0;
    // At most ~63 rounds when tMult > 1; with tMult = 1 the division finds the period at once.
    if (tMult == 1) {
      restarts = (int) Math.min(Integer.MAX_VALUE, tCur / t0);
      tCur %= t0;
    } else {
      while (tCur >= period) {
        tCur -= period;
        period = period > Long.MAX_VALUE / tMult ? Long.MAX_VALUE : period * tMult;
        restarts++;
      }
    }
    double peak = mMul == 1 ? 1 : Math.pow(mMul, restarts);
    return min + (initial - min) * peak * (1 + Math.cos(Math.PI * tCur / period)) / 2;
  }
}
