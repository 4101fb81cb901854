package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.Kernels;
import dev.stride.kernel.ReduceKernel;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An update rule applied to parameters held in groups. Parameters live in the caller's native
 * memory; the rule's state lives off-heap in memory this optimizer owns, allocated on first use and
 * freed by {@link #close()}.
 *
 * <p>One {@link #step()} updates every parameter of every group in one parallel region: the work is
 * cut into chunks of a fixed size when parameters are registered ({@link StepPlan}), and taken by a
 * {@link StepPool}'s workers and the calling thread. Results are the same to the bit for any number
 * of threads. By default a step uses as many threads as the machine has cores ({@link #setThreads},
 * or a pool shared with other optimizers: {@link #setPool}); a step over fewer than {@link
 * #PARALLEL_FROM} elements runs on the calling thread alone. Parameters in memory confined to one
 * thread ({@code Arena.ofConfined()}) are updated by the calling thread, which must be their owner;
 * the rest go to every thread.
 *
 * <p>A step either updates every parameter or, when it throws, none: everything that can fail is
 * checked before the first parameter is touched. Step from one thread at a time.
 *
 * @param <H> the rule's hyperparameters
 */
public abstract class Optimizer<H extends Hyperparameters<H>> implements AutoCloseable {
  /** {@link #PARALLEL_FROM} unless {@value #PARALLEL_FROM_PROPERTY} is set. */
  public static final long DEFAULT_PARALLEL_FROM = 1 << 16;

  /** The system property that sets {@link #PARALLEL_FROM} for this JVM. */
  public static final String PARALLEL_FROM_PROPERTY = "stride.parallelFrom";

  /**
   * Steps over fewer elements than this run on the calling thread alone: {@value
   * #DEFAULT_PARALLEL_FROM} unless {@code -Dstride.parallelFrom=N} says otherwise (measured on the
   * 2-core machine of BENCHMARKS.md, where waking a second thread cost more than it gained below
   * it).
   */
  public static final long PARALLEL_FROM =
      Long.getLong(PARALLEL_FROM_PROPERTY, DEFAULT_PARALLEL_FROM);

  final UpdateKernels kernels;
  // Shared, so that workers can update the state and a trainer may build the optimizer on one
  // thread and step it on another.
  private final Arena arena = Arena.ofShared();
  private final StateMemory stateMemory = new StateMemory(arena);
  private final List<ParamGroup<H>> groups = new ArrayList<>();

  /** One segment of each distinct memory scope the parameters live in, checked once per step. */
  private final List<MemorySegment> scopes = new ArrayList<>();

  /** The pass of the step being run, for rules that make several. */
  private int pass;

  private final ChunkTask updateChunk =
      (worker, chunk, p, offset, count) -> update(this.pass, worker, chunk, p, offset, count);

  /** Per-thread workspaces of rules that reduce: 16 doubles and a chunk of floats each. */
  private double[][] lanes = new double[0][];

  /** scratch[w][k]: worker w's k-th chunk of scratch floats. */
  private MemorySegment[][] scratch = new MemorySegment[0][];

  /** Per-chunk results of rules that reduce, {@link #chunkResults()} per chunk. */
  private double[] chunkResults = new double[0];

  private final GradientStatistics statistics;
  private Clipping clipping;

  /** Whether group g's gradients are clipped; all groups' when null. */
  private boolean[] clippedGroups;

  private boolean[] clipMask = new boolean[0];
  private boolean skipNonFinite;
  private double lastGradNorm = Double.NaN;

  /** Null when parameters were registered since it was made. */
  private StepPlan plan;

  private int threads = Runtime.getRuntime().availableProcessors();
  private StepPool pool;
  private boolean ownsPool;
  private long stepCount;
  private boolean closed;

  Optimizer(H hyperparameters, UpdateKernels kernels) {
    this.kernels = kernels;
    this.statistics = new GradientStatistics(kernels.reduce());
    addGroup(hyperparameters);
  }

  /** Adds an empty group with its own hyperparameters. */
  public ParamGroup<H> addGroup(H hyperparameters) {
    checkOpen();
    ParamGroup<H> group = new ParamGroup<>(this, groups.size(), hyperparameters);
    groups.add(group);
    return group;
  }

  /** Registers a parameter in the first group; see {@link ParamGroup#add}. */
  public Optimizer<H> add(MemorySegment value, MemorySegment grad) {
    groups.getFirst().add(value, grad);
    return this;
  }

  public ParamGroup<H> group(int index) {
    return groups.get(index);
  }

  public List<ParamGroup<H>> groups() {
    return Collections.unmodifiableList(groups);
  }

  /**
   * Sets how many threads a step runs on, the calling one included; 1 starts no worker. The workers
   * start at the first step large enough to use them. Replaces a pool set before (a pool of this
   * optimizer's own is closed; one given by {@link #setPool} is left to its owner).
   *
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public void setThreads(int threads) {
    Args.positive("threads", threads);
    checkOpen();
    releasePool();
    this.threads = threads;
  }

  /** Steps on {@code pool}'s threads, which other optimizers may share; its owner closes it. */
  public void setPool(StepPool pool) {
    java.util.Objects.requireNonNull(pool, "pool");
    checkOpen();
    releasePool();
    this.pool = pool;
    this.threads = pool.threads();
  }

  /** How many threads a large enough step runs on, the calling one included. */
  public int threads() {
    return threads;
  }

  /**
   * Clips gradients in every step from now on, as PyTorch's {@code clip_grad_norm_} or {@code
   * clip_grad_value_} called before {@code step()}: the factor (or the clamp) is applied inside the
   * rule's kernel, and the caller's gradients are left as they were. By norm, the gradients are
   * read once more before the step, and {@link #lastGradNorm()} tells the total. {@code null} stops
   * clipping.
   */
  public void setClipping(Clipping clipping) {
    checkOpen();
    this.clipping = clipping;
    this.clippedGroups = null;
  }

  /**
   * Clips only the gradients of {@code groups}, by their norm together or by value; the other
   * groups step unclipped.
   *
   * @throws IllegalArgumentException if {@code groups} is empty or holds a group of another
   *     optimizer; nothing is changed then
   */
  public void setClipping(Clipping clipping, List<ParamGroup<H>> groups) {
    java.util.Objects.requireNonNull(clipping, "clipping");
    checkOpen();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups must name at least one group to clip, got none");
    }
    boolean[] clipped = new boolean[this.groups.size()];
    for (ParamGroup<H> g : groups) {
      if (g.index() >= this.groups.size() || this.groups.get(g.index()) != g) {
        throw new IllegalArgumentException("group " + g.index() + " belongs to another optimizer");
      }
      clipped[g.index()] = true;
    }
    this.clipping = clipping;
    this.clippedGroups = clipped;
  }

  /** How steps clip, or null. */
  public Clipping clipping() {
    return clipping;
  }

  /**
   * Skips every step whose gradients hold a NaN or an infinity: nothing changes then (values,
   * state, step counts), and {@link #step()} returns false. Costs one read of the gradients per
   * step, shared with clipping by norm.
   */
  public void setSkipNonFinite(boolean skip) {
    checkOpen();
    this.skipNonFinite = skip;
  }

  public boolean skipsNonFinite() {
    return skipNonFinite;
  }

  /**
   * The total norm of the clipped gradients (unscaled) in the last step that clipped by norm, as
   * {@code clip_grad_norm_} returns it; NaN before such a step.
   */
  public double lastGradNorm() {
    return lastGradNorm;
  }

  /**
   * The {@code normType}-norms of the gradients, per parameter and together, and whether every
   * gradient element is finite: one parallel read of the gradients.
   *
   * @throws IllegalArgumentException if {@code normType} is not > 0 (∞ is allowed)
   * @throws IllegalStateException as {@link #step()} does
   * @throws WrongThreadException as {@link #step()} does
   */
  public Norms gradientNorms(double normType) {
    return norms(normType, false);
  }

  /** As {@link #gradientNorms}, of the parameters' values. */
  public Norms valueNorms(double normType) {
    return norms(normType, true);
  }

  private Norms norms(double normType, boolean values) {
    Clipping.byNorm(0, normType); // checks normType
    checkOpen();
    checkParametersReachable();
    StepPlan plan = plan();
    StepPool pool = poolFor(plan);
    boolean[] all = new boolean[groups.size()];
    java.util.Arrays.fill(all, true);
    statistics.prepare(plan, pool == null ? 1 : pool.threads(), normType, all, true, 1f);
    if (values) {
      statistics.readValues();
    }
    run(pool, statistics);
    double[] each = new double[plan.parameters.length];
    for (int j = 0; j < each.length; j++) {
      each[j] = statistics.norm(j);
    }
    return new Norms(normType, statistics.norm(), each, statistics.allFinite());
  }

  /**
   * Updates every registered parameter from its gradient, clipped as {@link #setClipping} says.
   *
   * @return false if the step was skipped: a gradient was not finite and {@link #setSkipNonFinite}
   *     is set; nothing changed then
   * @throws IllegalStateException if this optimizer or its pool is closed or a parameter's memory
   *     was freed; nothing is updated then
   * @throws WrongThreadException if a parameter's memory is confined to another thread; nothing is
   *     updated then
   * @throws NonFiniteNormException if clipping by norm with {@code errorIfNonfinite} finds a NaN or
   *     infinite norm; nothing is updated then
   */
  public boolean step() {
    return step(1f, skipNonFinite);
  }

  /**
   * A step whose gradients are first multiplied by {@code unscale} (a loss scaler's 1/scale, a
   * float32 factor), skipped if {@code guard} and a gradient is not finite.
   */
  boolean step(float unscale, boolean guard) {
    StepPool pool = checkStep();
    boolean byNorm = clipping instanceof Clipping.ByNorm;
    float clipFactor = 1;
    if (byNorm || guard) {
      Clipping.ByNorm norm = byNorm ? (Clipping.ByNorm) clipping : null;
      statistics.prepare(
          plan,
          pool == null ? 1 : pool.threads(),
          byNorm ? norm.normType() : 2,
          byNorm ? clipMask() : null,
          guard,
          unscale);
      run(pool, statistics);
      if (guard && !statistics.allFinite()) {
        return false;
      }
      if (byNorm) {
        // a p-norm scales with its argument: the unscaled gradients' norm
        double total = statistics.norm() * unscale;
        if (norm.errorIfNonfinite() && !Double.isFinite(total)) {
          throw new NonFiniteNormException(norm.normType(), total);
        }
        lastGradNorm = total;
        clipFactor = norm.factor(total);
      }
    }
    prepareCoefficients(unscale, clipFactor);
    for (pass = 0; pass < passes(); pass++) {
      run(pool, updateChunk);
      if (pass + 1 < passes() && !betweenPasses(pass)) {
        break;
      }
    }
    finishStep();
    return true;
  }

  /**
   * Wakes the step's parked workers ahead of a step, so that a {@link #step()} that follows within
   * {@value StepPool#SPIN_MICROS} µs finds them running instead of waking them itself: a hint for a
   * trainer whose steps follow long forward and backward passes, to give as the backward pass
   * reaches its last layers. Costs each worker at most that spin of CPU; does nothing for a step
   * that runs on the calling thread alone, or before the first step has started the workers.
   */
  public void wakeWorkers() {
    checkOpen();
    if (pool != null && plan != null && poolFor(plan) != null) {
      pool.wake();
    }
  }

  /** Whether the gradients of group {@code g} are clipped. */
  private boolean clips(int g) {
    return clipping != null
        && (clippedGroups == null || (g < clippedGroups.length && clippedGroups[g]));
  }

  /** {@link #clips} of every group, in an array reused from step to step. */
  private boolean[] clipMask() {
    if (clipMask.length != groups.size()) {
      clipMask = new boolean[groups.size()];
    }
    for (int g = 0; g < clipMask.length; g++) {
      clipMask[g] = clips(g);
    }
    return clipMask;
  }

  /**
   * Everything a step checks and allocates before it writes: the parameters' memory, the plan, the
   * threads and the rule's state. Returns the pool to run on, or null for the calling thread.
   */
  private StepPool checkStep() {
    checkOpen();
    checkCanStep();
    checkParametersReachable();
    StepPlan plan = plan();
    StepPool pool = poolFor(plan);
    for (int g = 0; g < groups.size(); g++) { // indexed: the step allocates no iterator
      groups.get(g).allocateState(stateMemory);
    }
    return pool;
  }

  /**
   * The rule's coefficients for this step, once per group and step count, with the step's gradient
   * scale: {@code unscale}, times {@code clipFactor} in the clipped groups.
   */
  private void prepareCoefficients(float unscale, float clipFactor) {
    boolean share = sharesCoefficients();
    for (int g = 0; g < groups.size(); g++) {
      ParamGroup<H> group = groups.get(g);
      H h = group.hyperparameters();
      prepareGroup(group);
      boolean clipped = clips(group.index());
      float gradScale = clipped ? unscale * clipFactor : unscale;
      float clipValue =
          clipped && clipping instanceof Clipping.ByValue v
              ? (float) v.clipValue()
              : Float.POSITIVE_INFINITY;
      Parameter previous = null;
      List<Parameter> parameters = group.parameters();
      for (int i = 0; i < parameters.size(); i++) {
        Parameter p = parameters.get(i);
        if (share && previous != null && p.stepsLike(previous)) {
          p.coefficients = previous.coefficients;
        } else {
          p.coefficients = p.ownCoefficients;
          prepare(h, p);
          p.ownCoefficients.setStepTerms(gradScale, clipValue, group.l1());
        }
        previous = p;
      }
    }
  }

  private void run(StepPool pool, ChunkTask task) {
    if (pool == null) {
      plan.runAll(task);
    } else {
      pool.run(plan, task);
    }
  }

  private void finishStep() {
    for (Parameter p : plan.parameters) {
      p.stepped();
    }
    stepCount++;
  }

  private StepPlan plan() {
    if (plan == null) {
      List<Parameter> all = new ArrayList<>();
      for (ParamGroup<H> group : groups) {
        all.addAll(group.parameters());
      }
      plan = new StepPlan(all);
    }
    return plan;
  }

  private StepPool poolFor(StepPlan plan) {
    if (pool != null && pool.isClosed()) {
      throw new IllegalStateException(
          "the step pool set by setPool is closed; nothing was updated");
    }
    StepPool chosen = null;
    if (threads > 1 && plan.elements >= PARALLEL_FROM && plan.sharedUnits.length > 1) {
      if (pool == null) {
        pool = new StepPool(threads);
        ownsPool = true;
      }
      chosen = pool;
    }
    if (chunkResults() > 0) {
      int workers = chosen == null ? 1 : chosen.threads();
      if (lanes.length < workers) {
        lanes = new double[workers][ReduceKernel.PARTIALS];
        MemorySegment[][] more = java.util.Arrays.copyOf(scratch, workers);
        long bytes = (long) StepPlan.CHUNK * Float.BYTES;
        for (int w = scratch.length; w < workers; w++) {
          more[w] = new MemorySegment[scratchFloats()];
          for (int k = 0; k < more[w].length; k++) {
            more[w][k] = arena.allocate(bytes, Parameter.STATE_ALIGNMENT);
          }
        }
        scratch = more;
      }
      if (chunkResults.length < plan.chunks() * chunkResults()) {
        chunkResults = new double[plan.chunks() * chunkResults()];
      }
    }
    return chosen;
  }

  /** Worker {@code worker}'s 16 doubles of workspace for {@link dev.stride.kernel.ReduceKernel}. */
  final double[] lanes(int worker) {
    return lanes[worker];
  }

  /** Worker {@code worker}'s {@code k}-th chunk of scratch floats, for values a reduction reads. */
  final MemorySegment scratch(int worker, int k) {
    return scratch[worker][k];
  }

  /** Sets result {@code k} of chunk {@code chunk}. */
  final void setChunkResult(int chunk, int k, double value) {
    chunkResults[chunk * chunkResults() + k] = value;
  }

  /** Result {@code k} of every chunk of plan parameter {@code j} added in chunk order. */
  final double sumOfChunkResults(int j, int k) {
    double sum = 0;
    int stride = chunkResults();
    for (int c = plan.firstChunk[j], end = plan.firstChunk[j + 1]; c < end; c++) {
      sum += chunkResults[c * stride + k];
    }
    return sum;
  }

  /** The parameters in plan order: group by group, as {@link #sumOfChunkResults} numbers them. */
  final Parameter[] planParameters() {
    return plan.parameters;
  }

  private void releasePool() {
    if (ownsPool) {
      pool.close();
    }
    pool = null;
    ownsPool = false;
  }

  /**
   * Sets every registered gradient to zero.
   *
   * @throws IllegalStateException as {@link #step()} does, before any gradient is touched
   * @throws WrongThreadException as {@link #step()} does, before any gradient is touched
   */
  public void zeroGrad() {
    checkOpen();
    checkParametersReachable();
    for (ParamGroup<H> group : groups) {
      for (Parameter p : group.parameters()) {
        p.grad.fill((byte) 0);
      }
    }
  }

  /** How many times {@link #step()} has run. */
  public long stepCount() {
    return stepCount;
  }

  /**
   * Copies every parameter's value, the rule's state, the step counts and the groups'
   * hyperparameters, for {@link #restore}. Close the snapshot to free its copies.
   *
   * @throws IllegalStateException as {@link #step()} does
   * @throws WrongThreadException as {@link #step()} does
   */
  public OptimizerSnapshot<H> snapshot() {
    checkOpen();
    checkParametersReachable();
    return new OptimizerSnapshot<>(this, groups, stepCount);
  }

  /**
   * Puts back what {@code snapshot} copied, to the bit: values, state (a slot allocated since is
   * made unallocated again, so the next step starts it afresh; the rule's per-group numbers), step
   * counts and hyperparameters. Gradients and parameters' memory stay the caller's.
   *
   * @throws IllegalArgumentException if {@code snapshot} was taken of another optimizer or is
   *     closed; nothing is changed then
   * @throws IllegalStateException if groups or parameters were added since the snapshot, or as
   *     {@link #step()} does; nothing is changed then
   * @throws WrongThreadException as {@link #step()} does; nothing is changed then
   */
  public void restore(OptimizerSnapshot<H> snapshot) {
    if (snapshot.optimizer() != this) {
      throw new IllegalArgumentException(
          "snapshot " + snapshot + " was taken of another optimizer");
    }
    if (snapshot.isClosed()) {
      throw new IllegalArgumentException("snapshot " + snapshot + " is closed");
    }
    checkOpen();
    List<OptimizerSnapshot.GroupCopy<H>> copies = snapshot.groups();
    if (copies.size() != groups.size()) {
      throw new IllegalStateException(
          "this optimizer has "
              + groups.size()
              + " groups, the snapshot "
              + copies.size()
              + ": a snapshot restores only what was registered when it was taken");
    }
    for (int g = 0; g < groups.size(); g++) {
      if (groups.get(g).size() != copies.get(g).parameters().size()) {
        throw new IllegalStateException(
            "group "
                + g
                + " has "
                + groups.get(g).size()
                + " parameters, the snapshot "
                + copies.get(g).parameters().size()
                + ": a snapshot restores only what was registered when it was taken");
      }
    }
    checkParametersReachable();
    // Allocate before copying: allocation is all that can still fail, and a slot allocated but not
    // yet written holds its initial value and counts as fresh, which steps the same as an
    // unallocated one.
    for (int g = 0; g < groups.size(); g++) {
      List<Parameter> parameters = groups.get(g).parameters();
      for (int i = 0; i < parameters.size(); i++) {
        MemorySegment[] state = copies.get(g).parameters().get(i).state();
        for (int k = 0; k < state.length; k++) {
          if (state[k] != null) {
            parameters.get(i).allocate(k, stateMemory);
          }
        }
      }
    }
    for (int g = 0; g < groups.size(); g++) {
      groups.get(g).restore(copies.get(g));
    }
    stepCount = snapshot.stepCount();
  }

  /**
   * Runs {@code task} over every chunk of the step plan, on the step's threads, as a step runs the
   * rule: for passes over all parameters besides the update itself (weight averaging). Checks what
   * a step checks first.
   */
  void runChunks(ChunkTask task) {
    checkOpen();
    checkParametersReachable();
    run(poolFor(plan()), task);
  }

  /**
   * Frees the state and stops this optimizer's own workers. Parameters stay as they are.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      releasePool();
      arena.close();
    }
  }

  /** The {@code torch.optim} class this rule follows, as checkpoints name it: {@code "AdamW"}. */
  public abstract String pytorchName();

  /**
   * The rule's state buffers per parameter, under PyTorch's state keys ({@code "exp_avg"}, …): slot
   * k is {@code stateKeys().get(k)}. A constant list.
   */
  abstract List<String> stateKeys();

  /**
   * The numbers the rule keeps per parameter besides its buffers and step count, under PyTorch's
   * state keys (ASGD's {@code "eta"} and {@code "mu"}); none by default. A constant list. A rule
   * that keeps any has its coefficients prepared for every parameter, since they depend on them.
   */
  List<String> scalarKeys() {
    return List.of();
  }

  /** Whether PyTorch keeps a {@code "step"} entry in this rule's per-parameter state. */
  abstract boolean pytorchKeepsStep();

  /**
   * The numbers the rule keeps per group besides its hyperparameters, under the reference's {@code
   * param_groups} keys (Schedule-Free's {@code "lr_max"}, {@code "weight_sum"}), in {@link
   * ParamGroup#scalars}; none by default. A constant list. Snapshots carry them.
   */
  List<String> groupScalarKeys() {
    return List.of();
  }

  /**
   * The {@link #groupScalarKeys()} values of a group just added with {@code hyperparameters}: zeros
   * by default. Called by {@link #addGroup}, also for the first group while this optimizer is being
   * constructed.
   */
  double[] newGroupScalars(H hyperparameters) {
    return new double[groupScalarKeys().size()];
  }

  /**
   * Throws if the rule cannot take a step now (Schedule-Free in eval mode), before a step checks,
   * allocates or writes anything; nothing by default.
   */
  void checkCanStep() {}

  /**
   * Advances {@code group}'s scalars for the step about to be taken and keeps what its parameters'
   * {@link #prepare} calls need; nothing by default. Called once per group and step, on the
   * stepping thread, right before {@link #prepare} for that group's parameters.
   */
  void prepareGroup(ParamGroup<H> group) {}

  final int stateSlots() {
    return stateKeys().size();
  }

  final int scalarSlots() {
    return scalarKeys().size();
  }

  /** Allocates the state that a step with {@code h} will need and {@code p} lacks. */
  abstract void allocateState(H h, Parameter p, StateMemory memory);

  /** A coefficients object of the rule's kernel, one per parameter. */
  abstract GradientCoefficients newCoefficients();

  /**
   * Sets {@code p.coefficients()} for the step about to be taken, from {@code h} and {@code p}'s
   * step count and state. Called once per group for parameters that step alike. A rule with {@link
   * #scalarKeys()} advances them here, to what PyTorch holds after the step: nothing that follows
   * can fail.
   */
  abstract void prepare(H h, Parameter p);

  /**
   * How many passes over the parameters a step makes: 1 for elementwise rules; rules that need a
   * reduction before they can update (LAMB's norms, Prodigy's sums) make more.
   */
  int passes() {
    return 1;
  }

  /**
   * Pass {@code pass} of the rule over elements {@code [offset, offset + count)} of {@code p}. A
   * rule that reduces stores the chunk's results with {@link #setChunkResult} and may use the
   * {@link #lanes} and {@link #scratch} of {@code worker}. Rules of one pass without reductions
   * extend {@link ElementwiseOptimizer}.
   */
  abstract void update(int pass, int worker, int chunk, Parameter p, long offset, long count);

  /**
   * On the calling thread between pass {@code pass} and the next: turns the chunk results into the
   * coefficients of the next pass.
   *
   * @return false to end the step here (Prodigy's early return), the steps counted all the same
   */
  boolean betweenPasses(int pass) {
    return true;
  }

  /** How many results per chunk the rule's passes store; 0 for rules that do not reduce. */
  int chunkResults() {
    return 0;
  }

  /** How many chunks of scratch floats per thread the rule's passes use. */
  int scratchFloats() {
    return chunkResults() > 0 ? 1 : 0;
  }

  /**
   * Whether parameters of a group that step alike may share one coefficients object: not for rules
   * whose coefficients hold per-tensor results (LAMB's trust ratio) or per-parameter state.
   */
  boolean sharesCoefficients() {
    return scalarKeys().isEmpty();
  }

  /**
   * Throws, naming the parameter, if any parameter's memory is freed or confined to another thread:
   * checked for all of them before the first is written, so that a failure leaves every parameter
   * and its state as it was. One segment per distinct scope is asked first; the parameters
   * themselves only when that finds a problem, to name the first one.
   */
  final void checkParametersReachable() {
    Thread current = Thread.currentThread();
    boolean fine = true;
    for (int i = 0; i < scopes.size(); i++) {
      MemorySegment s = scopes.get(i);
      fine &= s.scope().isAlive() && s.isAccessibleBy(current);
    }
    if (fine) {
      return;
    }
    for (ParamGroup<H> group : groups) {
      List<Parameter> parameters = group.parameters();
      for (int i = 0; i < parameters.size(); i++) {
        Parameter p = parameters.get(i);
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "parameter "
                  + i
                  + " of group "
                  + group.index()
                  + " belongs to a closed arena; nothing was updated");
        }
        if (!p.isAccessibleBy(current)) {
          throw new WrongThreadException(
              "parameter "
                  + i
                  + " of group "
                  + group.index()
                  + " is confined to another thread than "
                  + current
                  + "; nothing was updated");
        }
      }
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this optimizer is closed");
    }
  }

  /** Refuses a parameter whose value or grad overlaps its own other half or a registered one's. */
  void checkNotRegistered(MemorySegment value, MemorySegment grad) {
    if (Parameter.overlap(value, grad)) {
      throw new IllegalArgumentException("value " + value + " and grad " + grad + " overlap");
    }
    for (ParamGroup<H> group : groups) {
      List<Parameter> parameters = group.parameters();
      for (int i = 0; i < parameters.size(); i++) {
        Parameter p = parameters.get(i);
        if (p.isAlive() && (p.overlaps(value) || p.overlaps(grad))) {
          throw new IllegalArgumentException(
              "value "
                  + value
                  + " or grad "
                  + grad
                  + " is already registered: it overlaps parameter "
                  + i
                  + " of group "
                  + group.index());
        }
      }
    }
  }

  /** A new parameter for {@link ParamGroup#add}, whose checks it has passed. */
  Parameter register(int group, MemorySegment value, MemorySegment grad, long[] shape) {
    Parameter p =
        new Parameter(group, value, grad, shape, stateSlots(), scalarSlots(), newCoefficients());
    for (MemorySegment s : new MemorySegment[] {value, grad}) {
      if (scopes.stream().noneMatch(known -> known.scope().equals(s.scope()))) {
        scopes.add(s);
      }
    }
    plan = null;
    return p;
  }

  static UpdateKernels defaultKernels() {
    return Kernels.get();
  }
}
