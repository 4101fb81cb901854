/**
 * Learning-rate (and momentum, β1, weight-decay) schedules as pure functions of the step: one class
 * per form, made by {@link dev.stride.schedule.Schedules}, composable (warmup, sequences, chains,
 * clamps); {@link dev.stride.schedule.ReduceLrOnPlateau} follows a metric. {@link
 * dev.stride.schedule.ScheduleBinding} sets an optimizer's groups from them before each step;
 * {@link dev.stride.schedule.ScheduleSpec} reads a schedule from text.
 */
package dev.stride.schedule;
