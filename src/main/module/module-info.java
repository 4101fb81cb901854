/**
 * Stride: optimizer update rules, the step around them, learning-rate schedules and checkpoints.
 * The packages a trainer uses are exported; the kernels ({@code dev.stride.kernel}) and the
 * argument checks ({@code dev.stride.internal}) are not. Every dependency is optional: the Vector
 * API for the fast kernels (without it the scalar references run, after one log line), Jackson for
 * checkpoints, JFreeChart, JFreeSVG and {@code java.desktop} for plots, DJL's API for its
 * optimizer.
 */
module dev.stride {
  requires static jdk.incubator.vector;
  requires static com.fasterxml.jackson.core;
  requires static org.jfree.jfreechart;
  requires static org.jfree.svg;
  requires static java.desktop;
  requires static ai.djl.api;

  exports dev.stride.optim;
  exports dev.stride.schedule;
  exports dev.stride.checkpoint;
  exports dev.stride.training;
  exports dev.stride.tuning;
  exports dev.stride.plot;
  exports dev.stride.djl;
}
