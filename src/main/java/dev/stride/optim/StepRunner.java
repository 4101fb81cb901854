package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How an optimizer's steps run: the {@link StepPlan} of its parameters, the threads that take its
 * chunks (a {@link StepPool} of its own or one shared), and their workspaces: per thread {@value
 * ReduceKernel#PARTIALS} partial sums and chunks of scratch floats, per chunk the results of the
 * rule's reductions. An {@link Optimizer} decides what a step does; this runs it. Nothing is
 * allocated per step: workspaces grow with the plan and the thread count.
 */
final class StepRunner implements AutoCloseable {
  private final Arena arena;
  private final int resultsPerChunk;
  private final int scratchChunks;
  private final GradientStatistics statistics;

  /** Null when parameters were registered since it was made. */
  private StepPlan plan;

  private int threads = Runtime.getRuntime().availableProcessors();
  private StepPool pool;
  private boolean ownsPool;

  /** The pool the step being run uses, or null for the calling thread alone. */
  private StepPool running;

  /** Per thread: {@value ReduceKernel#PARTIALS} doubles for a reduction's partial sums. */
  private double[][] partials = new double[0][];

  /** scratch[w][k]: worker w's k-th chunk of scratch floats. */
  private MemorySegment[][] scratch = new MemorySegment[0][];

  /** {@link #resultsPerChunk} results per chunk of the plan. */
  private double[] chunkResults = new double[0];

  /**
   * @param arena where scratch is allocated, freed by the optimizer
   * @param resultsPerChunk how many results per chunk the rule's reductions store
   * @param scratchChunks how many chunks of scratch floats per thread the rule uses
   */
  StepRunner(Arena arena, ReduceKernel reduce, int resultsPerChunk, int scratchChunks) {
    this.arena = arena;
    this.resultsPerChunk = resultsPerChunk;
    this.scratchChunks = scratchChunks;
    this.statistics = new GradientStatistics(reduce);
  }

  void setThreads(int threads) {
    Args.positive("threads", threads);
    releasePool();
    this.threads = threads;
  }

  void setPool(StepPool pool) {
    Objects.requireNonNull(pool, "pool");
    releasePool();
    this.pool = pool;
    this.threads = pool.threads();
  }

  int threads() {
    return threads;
  }

  /** Parameters were registered: the next step makes a new plan. */
  void invalidate() {
    plan = null;
  }

  /**
   * Makes ready to run over every parameter of {@code groups}: the plan, the threads, the
   * workspaces. What a step allocates, it allocates here, before anything is written.
   *
   * @throws IllegalStateException if the pool set by {@link #setPool} is closed
   */
  StepPlan begin(List<? extends ParamGroup<?>> groups) {
    if (pool != null && pool.isClosed()) {
      throw new IllegalStateException(
          "the step pool set by setPool is closed; nothing was updated");
    }
    if (plan == null) {
      List<Parameter> all = new ArrayList<>();
      for (ParamGroup<?> group : groups) {
        all.addAll(group.parameters());
      }
      plan = new StepPlan(all);
    }
    running = null;
    if (threads > 1 && plan.elements >= Optimizer.PARALLEL_FROM && plan.sharedUnits.length > 1) {
      if (pool == null) {
        pool = new StepPool(threads);
        ownsPool = true;
      }
      running = pool;
    }
    if (resultsPerChunk > 0) {
      int workers = workers();
      if (partials.length < workers) {
        partials = new double[workers][ReduceKernel.PARTIALS];
        MemorySegment[][] more = java.util.Arrays.copyOf(scratch, workers);
        long bytes = (long) StepPlan.CHUNK * Float.BYTES;
        for (int w = scratch.length; w < workers; w++) {
          more[w] = new MemorySegment[scratchChunks];
          for (int k = 0; k < scratchChunks; k++) {
            more[w][k] = arena.allocate(bytes, Parameter.STATE_ALIGNMENT);
          }
        }
        scratch = more;
      }
      if (chunkResults.length < plan.chunks() * resultsPerChunk) {
        chunkResults = new double[plan.chunks() * resultsPerChunk];
      }
    }
    return plan;
  }

  /** How many threads the step made ready by {@link #begin} runs on. */
  int workers() {
    return running == null ? 1 : running.threads();
  }

  /** Runs {@code task} over every chunk of the plan, on the step's threads. */
  void run(ChunkTask task) {
    if (running == null) {
      plan.runAll(task);
    } else {
      running.run(plan, task);
    }
  }

  /**
   * Reads every gradient (or value) once on the step's threads: the norm of the groups {@code
   * normGroups} covers (none where null) and, if {@code guard}, whether every element is finite
   * once multiplied by {@code unscale}.
   */
  GradientStatistics readStatistics(
      double normType, boolean[] normGroups, boolean guard, float unscale, boolean values) {
    statistics.prepare(plan, workers(), normType, normGroups, guard, unscale);
    if (values) {
      statistics.readValues();
    }
    run(statistics);
    return statistics;
  }

  /** The plan of the step made ready by {@link #begin}. */
  StepPlan plan() {
    return plan;
  }

  /** Worker {@code worker}'s {@value ReduceKernel#PARTIALS} doubles for a reduction. */
  double[] partials(int worker) {
    return partials[worker];
  }

  /** Worker {@code worker}'s {@code k}-th chunk of scratch floats, for values a reduction reads. */
  MemorySegment scratch(int worker, int k) {
    return scratch[worker][k];
  }

  /** Sets result {@code k} of chunk {@code chunk}. */
  void setChunkResult(int chunk, int k, double value) {
    chunkResults[chunk * resultsPerChunk + k] = value;
  }

  /** Result {@code k} of every chunk of plan parameter {@code j} added in chunk order. */
  double sumOfChunkResults(int j, int k) {
    double sum = 0;
    for (int c = plan.firstChunk[j], end = plan.firstChunk[j + 1]; c < end; c++) {
      sum += chunkResults[c * resultsPerChunk + k];
    }
    return sum;
  }

  private void releasePool() {
    if (ownsPool) {
      pool.close();
    }
    pool = null;
    ownsPool = false;
  }

  /** Stops the runner's own workers; a pool given by {@link #setPool} is left to its owner. */
  @Override
  public void close() {
    releasePool();
  }
}
