/**
 * What a training loop decides besides the step: {@link dev.stride.training.EarlyStopping} (Keras's
 * semantics) and the {@link dev.stride.training.Mode} of a metric it and {@code ReduceLrOnPlateau}
 * watch.
 */
package dev.stride.training;
