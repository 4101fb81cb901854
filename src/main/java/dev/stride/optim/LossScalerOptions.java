package dev.stride.optim;

import dev.stride.internal.Args;

/**
 * A {@link LossScaler}'s settings, PyTorch's {@code GradScaler} names and defaults: {@code
 * initScale} 2^16, {@code growthFactor} 2, {@code backoffFactor} 0.5, {@code growthInterval} 2000.
 */
public record LossScalerOptions(
    double initScale, double growthFactor, double backoffFactor, long growthInterval) {

  /** PyTorch's defaults. */
  public static final LossScalerOptions DEFAULTS = new LossScalerOptions(65536, 2, 0.5, 2000);

  /**
   * @throws IllegalArgumentException if {@code initScale} is not a finite float32 > 0, {@code
   *     growthFactor} is not > 1, {@code backoffFactor} is not in (0, 1), or {@code growthInterval}
   *     is not > 0
   */
  public LossScalerOptions {
    Args.positive("initScale", initScale);
    if (!Float.isFinite((float) initScale) || (float) initScale == 0) {
      throw new IllegalArgumentException(
          "initScale must be a finite float32 > 0, got " + initScale);
    }
    if (!(growthFactor > 1) || growthFactor == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "growthFactor must be a finite number > 1, got " + growthFactor);
    }
    if (!(backoffFactor > 0 && backoffFactor < 1)) {
      throw new IllegalArgumentException("backoffFactor must be in (0, 1), got " + backoffFactor);
    }
    Args.positive("growthInterval", growthInterval);
  }

  public LossScalerOptions withInitScale(double initScale) {
    return new LossScalerOptions(initScale, growthFactor, backoffFactor, growthInterval);
  }

  public LossScalerOptions withGrowthFactor(double growthFactor) {
    return new LossScalerOptions(initScale, growthFactor, backoffFactor, growthInterval);
  }

  public LossScalerOptions withBackoffFactor(double backoffFactor) {
    return new LossScalerOptions(initScale, growthFactor, backoffFactor, growthInterval);
  }

  public LossScalerOptions withGrowthInterval(long growthInterval) {
    return new LossScalerOptions(initScale, growthFactor, backoffFactor, growthInterval);
  }
}
