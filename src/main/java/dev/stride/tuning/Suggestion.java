package dev.stride.tuning;

/**
 * A learning rate suggested by a range test.
 *
 * @param heuristic how it was read off the curve
 * @param lr the suggested rate
 * @param index the point of the curve the heuristic picked (for {@link Heuristic#MINIMUM_OVER_10},
 *     the minimum, whose rate is ten times {@code lr})
 */
public record Suggestion(Heuristic heuristic, double lr, int index) {}
