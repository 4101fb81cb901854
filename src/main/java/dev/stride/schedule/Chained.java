package dev.stride.schedule;

import java.util.List;

/**
 * Schedules multiplied step by step: {@code η(t) = s_1(t) · s_2(t) · …}. Give one part the initial
 * value and the others an initial value of 1, so that they act as factors: exponential decay times
 * a cosine, say. Unlike PyTorch's {@code ChainedScheduler}, which applies each part's recursive
 * update to what the others left, the product holds whatever the parts are (a part that passes
 * through zero, a cosine with a floor, a cyclic part).
 */
public record Chained(List<Schedule> parts) implements Schedule {
  public Chained {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("parts must not be empty, got []");
    }
  }

  @Override
  public double valueAt(long step) {
    double product = 1;
    for (Schedule part : parts) {
      product *= part.valueAt(step);
    }
    return product;
  }
}
