package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.Arrays;
import java.util.List;

/**
 * Schedules one after another, switching at milestones (PyTorch's {@code SequentialLR}): with
 * milestones {@code m_1 < m_2 < …}, schedule {@code i} is in force from {@code m_i} (the first from
 * step 0) and starts over there, {@code η(t) = s_i(t − m_i)}. A milestone belongs to the schedule
 * it starts.
 *
 * <p>A {@link ReduceLrOnPlateau} may be a part (PyTorch's cannot): it takes over with the value its
 * metrics have brought it to.
 */
public final class Sequential implements Schedule {
  private final List<Schedule> parts;
  private final long[] milestones;

  /**
   * @param parts the schedules, in order
   * @param milestones one fewer than the parts, {@code > 0} and strictly increasing
   */
  public Sequential(List<Schedule> parts, long... milestones) {
    this.parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("parts must not be empty, got []");
    }
    if (milestones.length != parts.size() - 1) {
      throw new IllegalArgumentException(
          "milestones must be one fewer than the parts ("
              + parts.size()
              + "), got "
              + milestones.length
              + ": "
              + Arrays.toString(milestones));
    }
    if (milestones.length > 0) {
      Args.increasingSteps("milestones", milestones);
      if (milestones[0] == 0) {
        throw new IllegalArgumentException(
            "milestones must be > 0 (the first part starts at 0), got "
                + Arrays.toString(milestones));
      }
    }
    this.milestones = milestones.clone();
  }

  @Override
  public double valueAt(long step) {
    int i = PiecewiseConstant.countAtOrBelow(milestones, Args.step(step));
    return parts.get(i).valueAt(i == 0 ? step : step - milestones[i - 1]);
  }

  public List<Schedule> parts() {
    return parts;
  }

  public long[] milestones() {
    return milestones.clone();
  }

  @Override
  public String toString() {
    return "Sequential[" + parts + " at " + Arrays.toString(milestones) + "]";
  }
}
