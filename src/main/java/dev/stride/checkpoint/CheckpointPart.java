package dev.stride.checkpoint;

import dev.stride.optim.LossScaler;
import dev.stride.optim.WeightAverage;
import dev.stride.schedule.ReduceLrOnPlateau;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.training.EarlyStopping;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Something besides the optimizer whose state a {@link Checkpoint} carries, under a name the caller
 * gives it ({@link Checkpoint#with}): its numbers as JSON in the metadata key {@code
 * stride.part.NAME}, and any float32 tensors as {@code NAME.KEY}. The ready-made ones:
 *
 * <ul>
 *   <li>{@link #of(ScheduleBinding)}: {@code {"next_step": n}}, the step the binding applies next;
 *   <li>{@link #of(ReduceLrOnPlateau)}: {@code value}, {@code best}, {@code bad_steps}, {@code
 *       cooldown_left}, {@code observations} ({@link ReduceLrOnPlateau.State});
 *   <li>{@link #of(EarlyStopping)}: {@code epochs}, {@code wait}, {@code best}, {@code best_epoch},
 *       {@code stopped_epoch} (−1 for none), {@code best_weights_saved} ({@link
 *       EarlyStopping.State}; the best weights themselves are the {@code BestWeights}' to keep);
 *   <li>{@link #of(WeightAverage)}: {@code kind} ({@code "ema"} or {@code "swa"}), {@code decay},
 *       {@code every}, {@code updates}, {@code last_fold} (the step count of the last fold, −1
 *       before one); and the average of parameter I as the tensor {@code NAME.I};
 *   <li>{@link #of(LossScaler)}: {@code scale} (the float32 scale, exactly) and {@code good_steps}
 *       ({@link LossScaler.State}).
 * </ul>
 *
 * <p>A new part implements the three methods: loading checks what {@link #restorer} is given before
 * anything changes, and runs what it returns only once every part and the optimizer have been
 * checked.
 */
public interface CheckpointPart {

  /**
   * The state to save: a map of numbers, booleans, strings, lists and maps (written as JSON, NaN
   * and ±Infinity as Python's {@code json} writes them).
   */
  Map<String, ?> state();

  /** Float32 tensors to save with it, by key (native byte order); none by default. */
  default Map<String, MemorySegment> tensors() {
    return Map.of();
  }

  /**
   * Checks a state read from a file (JSON as {@link #state()} wrote it, integers as {@code Long},
   * other numbers as {@code Double}) and its tensors (read-only, little-endian float32, valid until
   * the returned action has run), and returns the action that puts them in place, which must not
   * fail.
   *
   * @throws IllegalArgumentException saying what does not fit; nothing may be changed then
   */
  Runnable restorer(Map<String, Object> state, Map<String, MemorySegment> tensors);

  /** A schedule binding's position: the next step it applies ({@link ScheduleBinding#resumeAt}). */
  static CheckpointPart of(ScheduleBinding<?> binding) {
    return Parts.schedule(binding);
  }

  /** A reduce-on-plateau schedule's {@link ReduceLrOnPlateau.State}. */
  static CheckpointPart of(ReduceLrOnPlateau plateau) {
    return Parts.plateau(plateau);
  }

  /** An early stop's {@link EarlyStopping.State}. */
  static CheckpointPart of(EarlyStopping earlyStopping) {
    return Parts.earlyStopping(earlyStopping);
  }

  /**
   * A loss scaler's {@link LossScaler.State}, checked against its options before anything loads.
   */
  static CheckpointPart of(LossScaler scaler) {
    return Parts.lossScaler(scaler);
  }

  /**
   * A weight average: its averages and count of folds; loading refuses an average of another kind,
   * decay or period.
   */
  static CheckpointPart of(WeightAverage average) {
    return Parts.average(average);
  }
}
