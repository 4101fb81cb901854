package dev.stride.optim;

/** Work on one chunk of a step: a slice of one parameter, never crossing its end. */
@FunctionalInterface
interface ChunkTask {
  /**
   * @param worker which of the step's threads runs it: 0 is the calling thread, for per-thread
   *     workspaces
   * @param chunk the chunk's index in its {@link StepPlan}, for per-chunk results
   */
  void run(int worker, int chunk, Parameter p, long offset, long count);
}
