package dev.stride.training;

/**
 * Whether a lower ({@code MIN}, a loss) or a higher ({@code MAX}, an accuracy) metric is better:
 * what {@link EarlyStopping} and {@code ReduceLrOnPlateau} watch for.
 */
public enum Mode {
  MIN,
  MAX
}
