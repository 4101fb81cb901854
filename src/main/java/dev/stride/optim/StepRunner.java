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
 * rule's reductions, and how those combine ({@link ExactSums}, through the {@link AllReduce} of a
 * sharded optimizer). An {@link Optimizer} decides what a step does; this runs it. Nothing is
 * allocated per step: workspaces grow with the plan and the thread count.
 *
 * <p>There are two plans. The step plan has what a step updates: tensors, and slab ranges as one
 * parameter each ({@link SlabRange}). The tensor plan has every tensor (of a range, its part in the
 * shard) one by one, for norms per tensor; without slabs the two are one.
 */
final class StepRunner implements AutoCloseable {
  private final Arena arena;
  private final int resultsPerChunk;
  private final int scratchChunks;
  private final GradientStatistics statistics;

  /** Null when parameters were registered (or their states restored) since it was made. */
  private StepPlan plan;

  private StepPlan tensorPlan;

  /** How many tensors the groups hold, as {@link Parameter#index} numbers them. */
  private int tensors;

  /** How many tensors straddle shards, as {@link Parameter#straddle} numbers them. */
  private int straddlers;

  private AllReduce allReduce = InProcessAllReduce.ALONE;
  private final ExactSums sums = new ExactSums();

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

  /** Parameters were registered or their states restored: the next step makes a new plan. */
  void invalidate() {
    plan = null;
  }

  /** What combines the ranks' sums: a sharded optimizer's all-reduce. */
  void setAllReduce(AllReduce allReduce) {
    this.allReduce = Objects.requireNonNull(allReduce, "allReduce");
  }

  /**
   * Makes ready to run over every parameter of {@code groups}: the plans, the threads, the
   * workspaces. What a step allocates, it allocates here, before anything is written.
   *
   * @param perTensor whether the rule steps slab ranges tensor by tensor (per-tensor results)
   * @param shard the optimizer's shard, or null
   * @throws IllegalStateException if the pool set by {@link #setPool} is closed
   */
  void begin(List<? extends ParamGroup<?>> groups, boolean perTensor, ParameterSlab.Shard shard) {
    if (pool != null && pool.isClosed()) {
      throw new IllegalStateException(
          "the step pool set by setPool is closed; nothing was updated");
    }
    if (plan == null) {
      makePlans(groups, perTensor, shard);
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
  }

  private void makePlans(
      List<? extends ParamGroup<?>> groups, boolean perTensor, ParameterSlab.Shard shard) {
    List<Parameter> steppers = new ArrayList<>();
    List<Parameter> each = new ArrayList<>();
    tensors = 0;
    straddlers = 0;
    for (ParamGroup<?> group : groups) {
      steppers.addAll(group.planSteppers(perTensor));
      for (Parameter p : group.parameters()) {
        p.index = tensors++;
        p.straddle = shard != null && straddles(p.tensor, shard) ? straddlers++ : -1;
        if (p.count > 0 || p.tensor == null) {
          each.add(p);
        }
      }
    }
    plan = new StepPlan(steppers);
    tensorPlan = steppers.equals(each) ? plan : new StepPlan(each);
  }

  /** Whether a boundary between two of the shards {@code shard} is one of lies inside {@code t}. */
  private static boolean straddles(ParameterSlab.Tensor t, ParameterSlab.Shard shard) {
    ParameterSlab slab = shard.slab();
    long size = slab.shardStart(1, shard.ranks());
    long next = (t.offset() / size + 1) * size; // the first boundary after t's first element
    return next < t.offset() + t.count() && next < slab.size();
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
   * normGroups} covers (none where null), with {@code eachTensor} every tensor's norm too, and, if
   * {@code guard}, whether every element is finite once multiplied by {@code unscale}. Norms are
   * summed tensor by tensor, so that clipping and {@link Optimizer#gradientNorms} agree; the guard
   * alone reads slab ranges whole.
   */
  GradientStatistics readStatistics(
      double normType,
      boolean[] normGroups,
      boolean eachTensor,
      boolean guard,
      float unscale,
      boolean values) {
    StepPlan read = normGroups != null || eachTensor ? tensorPlan : plan;
    statistics.prepare(
        read, workers(), normType, normGroups, guard, unscale, eachTensor ? tensors : 0);
    if (values) {
      statistics.readValues();
    }
    if (running == null) {
      read.runAll(statistics);
    } else {
      running.run(read, statistics);
    }
    statistics.combine(sums, allReduce);
    return statistics;
  }

  /** How many tensors the groups hold: the length of a {@link Norms}' per-parameter norms. */
  int tensors() {
    return tensors;
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

  /**
   * Each chunk result of every plan parameter, summed per parameter: {@code out[j * resultsPerChunk
   * + k]} is the sum of result k of parameter j's chunks, over every rank's parts of it where the
   * tensor straddles shards.
   */
  void parameterSums(double[] out) {
    int r = resultsPerChunk;
    Parameter[] parameters = plan.parameters;
    sumChunkResults(straddlers + parameters.length, straddlers, false);
    for (int j = 0; j < parameters.length; j++) {
      int slot = slot(j, false) * r;
      for (int k = 0; k < r; k++) {
        out[j * r + k] = sums.sum(slot + k);
      }
    }
  }

  /**
   * Each chunk result summed per group over every rank: {@code out[g * resultsPerChunk + k]} is the
   * sum of result k of the chunks of group g.
   */
  void groupSums(int groups, double[] out) {
    sumChunkResults(groups, groups, true);
    for (int i = 0; i < groups * resultsPerChunk; i++) {
      out[i] = sums.sum(i);
    }
  }

  /**
   * Sums every chunk's results into its parameter's slot, exactly, the first {@code shared} slots
   * over every rank too: first the largest magnitude of each (which fixes the sums' scale), then
   * the sums.
   */
  private void sumChunkResults(int slots, int shared, boolean byGroup) {
    int r = resultsPerChunk;
    sums.begin(slots * r);
    for (int pass = 0; pass < 2; pass++) {
      for (int c = 0; c < plan.chunks(); c++) {
        int slot = slot(plan.chunkParameter[c], byGroup) * r;
        for (int k = 0; k < r; k++) {
          double x = chunkResults[c * r + k];
          if (pass == 0) {
            sums.observe(slot + k, x);
          } else {
            sums.add(slot + k, x);
          }
        }
      }
      if (pass == 0) {
        sums.shareLargest(allReduce, shared * r);
      } else {
        sums.shareSums(allReduce, shared * r);
      }
    }
  }

  /**
   * Plan parameter j's slot of sums: its group's, or its own (a tensor that straddles shards shares
   * the slot of its straddle, before every other parameter's).
   */
  private int slot(int j, boolean byGroup) {
    Parameter p = plan.parameters[j];
    if (byGroup) {
      return p.group;
    }
    return p.straddle >= 0 ? p.straddle : straddlers + j;
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
