package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * A value drawn uniformly from {@code [min, max)} at each step, reproducible: the draw at step
 * {@code t} depends only on {@code seed} and {@code t} (a SplitMix64 hash of the two), so a resumed
 * run sees the same values without replaying the earlier draws.
 */
public record UniformRandom(long seed, double min, double max) implements Schedule {
  public UniformRandom {
    Args.finite("min", min);
    Args.finite("max", max);
    Args.atLeast("max", max, "min", min);
  }

  @Override
  public double valueAt(long step) {
    long z = seed + (Args.step(step) + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    double u = (z >>> 11) * 0x1.0p-53; // 53 random bits: uniform in [0, 1)
    // (max − min)·u can round up to max − min; keep the interval half-open
    return max > min ? Math.min(min + (max - min) * u, Math.nextDown(max)) : min;
  }
}
