package dev.stride.optim;

import java.util.Objects;

/**
 * Dynamic loss scaling for reduced-precision training, with the semantics of PyTorch's {@code
 * GradScaler}: multiply the loss by {@link #scale()} before the backward pass, then call {@link
 * #step()} instead of the optimizer's {@code step()}. That step unscales the gradients by the
 * float32 value of 1/scale (computed in double) inside the rule's kernel, clips them as the
 * optimizer's {@link Optimizer#setClipping} says (after unscaling, as PyTorch's recipe does), and
 * is skipped, changing nothing, if any gradient is NaN or infinite. Then the scale adapts:
 *
 * <pre>
 *   a non-finite gradient:   scale = scale·backoffFactor, good steps = 0
 *   otherwise:               good steps + 1; at growthInterval, scale = scale·growthFactor if
 *                            that is finite in float32, and good steps = 0
 * </pre>
 *
 * The scale is a float32, as PyTorch's is. One read of the gradients checks and measures them; the
 * factors are applied inside the step.
 */
public final class LossScaler {
  /**
   * What a scaler is between steps: its scale and its count of good steps since the last change.
   */
  public record State(float scale, long goodSteps) {}

  private final Optimizer<?> optimizer;
  private final LossScalerOptions options;
  private float scale;
  private long goodSteps;

  /** With PyTorch's defaults, {@link LossScalerOptions#DEFAULTS}. */
  public LossScaler(Optimizer<?> optimizer) {
    this(optimizer, LossScalerOptions.DEFAULTS);
  }

  public LossScaler(Optimizer<?> optimizer, LossScalerOptions options) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.options = Objects.requireNonNull(options, "options");
    this.scale = (float) options.initScale();
  }

  /** What to multiply the loss by before the backward pass. */
  public float scale() {
    return scale;
  }

  /**
   * Steps the optimizer on the unscaled gradients unless one is not finite, then adapts the scale.
   *
   * @return whether the optimizer stepped
   * @throws IllegalStateException as {@link Optimizer#step()} does; the scale is not changed then
   */
  public boolean step() {
    float unscale = (float) (1 / (double) scale);
    boolean stepped = optimizer.step(unscale, true);
    if (!stepped) {
      scale = (float) (scale * options.backoffFactor());
      goodSteps = 0;
    } else if (++goodSteps == options.growthInterval()) {
      float grown = (float) (scale * options.growthFactor());
      if (Float.isFinite(grown)) {
        scale = grown;
      }
      goodSteps = 0;
    }
    return stepped;
  }

  public LossScalerOptions options() {
    return options;
  }

  public Optimizer<?> optimizer() {
    return optimizer;
  }

  /** The scale and good-step count, to be put back by {@link #restore} or saved in a checkpoint. */
  public State state() {
    return new State(scale, goodSteps);
  }

  /**
   * @throws IllegalArgumentException if the scale is not a finite float32 > 0 or the count is
   *     negative or not below the growth interval; nothing is changed then
   */
  public void restore(State state) {
    if (!(state.scale() > 0) || !Float.isFinite(state.scale())) {
      throw new IllegalArgumentException(
          "scale must be a finite float32 > 0, got " + state.scale());
    }
    if (state.goodSteps() < 0 || state.goodSteps() >= options.growthInterval()) {
      throw new IllegalArgumentException(
          "goodSteps must be in [0, growthInterval = "
              + options.growthInterval()
              + "), got "
              + state.goodSteps());
    }
    scale = state.scale();
    goodSteps = state.goodSteps();
  }
}
