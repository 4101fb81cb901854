package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.KernelSet;
import dev.stride.kernel.ReduceKernel;
import dev.stride.kernel.StateFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An update rule applied to parameters held in groups. Parameters live in the caller's native
 * memory; the rule's state lives off-heap in memory this optimizer owns, allocated on first use and
 * freed by {@link #close()}. What the rule is (its name, state keys, how it is made from PyTorch's
 * arguments) is its {@link #rule()}.
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
 * <p>Parameters are segments registered one by one ({@link #add(MemorySegment, MemorySegment)}) or
 * the tensors of a {@link ParameterSlab} ({@link #add(ParameterSlab)}), which a step updates as one
 * range whatever their count. A sharded optimizer ({@link #setShard}) keeps the state of one rank's
 * shard of a slab and steps it, reducing over the ranks through an {@link AllReduce}.
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

  private final Rule<H> rule;
  private final KernelSet kernels;
  // Shared, so that workers can update the state and a trainer may build the optimizer on one
  // thread and step it on another.
  private final Arena arena = Arena.ofShared();
  private final StateMemory stateMemory = new StateMemory(arena);
  private final StepRunner runner;

  /** Read directly by the rules' checks in a step: {@link #groups()} wraps it, which allocates. */
  final List<ParamGroup<H>> groups = new ArrayList<>();

  /** One segment of each distinct memory scope the parameters live in, checked once per step. */
  private final List<MemorySegment> scopes = new ArrayList<>();

  /**
   * Set once a gradient was replaced by one of a scope not in {@link #scopes}: from then on each
   * gradient's scope is checked, instead of growing the list at every step.
   */
  private boolean checksEachGrad;

  /** Every registered value and gradient, for the overlap checks of add and setGrad. */
  private final RegisteredMemory memory = new RegisteredMemory();

  /** The pass of the step being run, for rules that make several. */
  private int pass;

  private final ChunkTask updateChunk =
      (worker, chunk, p, offset, count) -> update(this.pass, worker, chunk, p, offset, count);
  private Clipping clipping;

  /** Whether group g's gradients are clipped; all groups' when null. */
  private boolean[] clippedGroups;

  private boolean[] clipMask = new boolean[0];

  /** The shard of a slab this optimizer steps, or null for all it holds. */
  private ParameterSlab.Shard shard;

  private boolean skipNonFinite;

  /** Where stochastic rounding takes its random bits instead of {@code RoundingNoise}, or null. */
  private GivenNoise givenNoise;

  /**
   * The 16 random bits of each element of a parameter's step, as unsigned shorts: a reference's own
   * draws, which a replay of its trajectories rounds with instead of Stride's generator.
   */
  interface GivenNoise {
    /**
     * Parameter {@code parameter}'s draws (numbered as {@link StateDict} numbers) for step {@code
     * step}, from 1.
     */
    MemorySegment noise(int parameter, long step);
  }

  private double lastGradNorm = Double.NaN;
  private long stepCount;
  private boolean closed;

  Optimizer(Rule<H> rule, H hyperparameters, Kernels kernels) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.kernels = kernels.set();
    this.runner =
        new StepRunner(arena, kernel(ReduceKernel.class), chunkResults(), scratchChunks());
    addGroup(hyperparameters);
  }

  /** What this optimizer's rule is: its name, hyperparameters, state keys. */
  public final Rule<H> rule() {
    return rule;
  }

  /** Which kernels the steps run: {@code "scalar"}, or say {@code "512-bit vector"}. */
  public final String kernels() {
    return kernels.name();
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

  /** Registers every tensor of {@code slab} in the first group; see {@link ParamGroup#add}. */
  public Optimizer<H> add(ParameterSlab slab) {
    groups.getFirst().add(slab);
    return this;
  }

  /**
   * Makes this optimizer one rank's of a data-parallel run (ZeRO stage 1): it keeps the state of
   * {@code shard}'s elements alone, memory in proportion to the shard, and a step updates only
   * them; every rank holds the same groups over the same slab, and steps its shard. Everything a
   * step reduces over the whole model goes through {@code allReduce}: clipping's norm, the
   * non-finite test of the guard and of a {@link LossScaler}, per-tensor norms of tensors that
   * straddle shards (LAMB, LARS, {@link #gradientNorms}) and Prodigy's sums. Each rank gets the
   * same bits as one unsharded optimizer over the whole slab, for any number of ranks. Before a
   * step the trainer puts the gradients of the shard (all-reduced or reduce-scattered over the
   * ranks) in {@link ParameterSlab.Shard#grads()}; after it, it all-gathers {@link
   * ParameterSlab.Shard#values()}. See {@code docs/distributed.md}.
   *
   * @throws IllegalStateException if parameters are registered already: set the shard first
   * @throws IllegalArgumentException if a shard is set already
   */
  public void setShard(ParameterSlab.Shard shard, AllReduce allReduce) {
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(allReduce, "allReduce");
    checkOpen();
    if (this.shard != null) {
      throw new IllegalArgumentException("this optimizer is sharded already: " + this.shard);
    }
    if (groups.stream().anyMatch(g -> g.size() > 0)) {
      throw new IllegalStateException(
          "set the shard before registering parameters: this optimizer holds some already");
    }
    this.shard = shard;
    runner.setAllReduce(allReduce);
    runner.invalidate();
  }

  /** The shard this optimizer steps ({@link #setShard}), or null if it steps all it holds. */
  public ParameterSlab.Shard shard() {
    return shard;
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
    runner.setThreads(threads);
  }

  /** Steps on {@code pool}'s threads, which other optimizers may share; its owner closes it. */
  public void setPool(StepPool pool) {
    Objects.requireNonNull(pool, "pool");
    checkOpen();
    runner.setPool(pool);
  }

  /** How many threads a large enough step runs on, the calling one included. */
  public int threads() {
    return runner.threads();
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
    Objects.requireNonNull(clipping, "clipping");
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
    if (values) {
      checkFloat32Values("valueNorms");
    }
    checkParametersReachable();
    beginRun();
    boolean[] all = new boolean[groups.size()];
    java.util.Arrays.fill(all, true);
    GradientStatistics statistics = runner.readStatistics(normType, all, true, true, 1f, values);
    double[] each = new double[runner.tensors()];
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
    beginStep();
    boolean byNorm = clipping instanceof Clipping.ByNorm;
    float clipFactor = 1;
    if (byNorm || guard) {
      Clipping.ByNorm norm = byNorm ? (Clipping.ByNorm) clipping : null;
      GradientStatistics statistics =
          runner.readStatistics(
              byNorm ? norm.normType() : 2,
              byNorm ? clipMask() : null,
              false,
              guard,
              unscale,
              false);
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
    int passes = rule.passes();
    for (pass = 0; pass < passes; pass++) {
      runner.run(updateChunk);
      if (pass + 1 < passes && !betweenPasses(pass)) {
        break;
      }
    }
    for (Parameter p : runner.plan().parameters) {
      p.stepped();
    }
    stepCount++;
    return true;
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
   * threads and the rule's state.
   */
  private void beginStep() {
    checkOpen();
    checkCanStep();
    checkParametersReachable();
    beginRun();
    for (int g = 0; g < groups.size(); g++) { // indexed: the step allocates no iterator
      groups.get(g).allocateState();
    }
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
      List<Parameter> parameters = group.steppers();
      for (int i = 0; i < parameters.size(); i++) {
        Parameter p = parameters.get(i);
        if (share && previous != null && p.stepsLike(previous)) {
          p.coefficients = previous.coefficients;
        } else {
          p.coefficients = p.ownCoefficients;
          prepare(h, p);
          p.ownCoefficients.setStepTerms(gradScale, clipValue, group.l1());
        }
        p.shareNumbers();
        previous = p;
      }
    }
  }

  /**
   * Sets every registered gradient to zero: a sharded optimizer's, those of its shard ({@link
   * ParameterSlab#zeroGrad()} zeroes a whole slab's).
   *
   * @throws IllegalStateException as {@link #step()} does, before any gradient is touched
   * @throws WrongThreadException as {@link #step()} does, before any gradient is touched
   */
  public void zeroGrad() {
    checkOpen();
    checkParametersReachable();
    for (ParamGroup<H> group : groups) {
      group.zeroGrads();
    }
  }

  /**
   * The bytes of state this optimizer holds now: every allocated buffer's values or codes and block
   * scales, and master copies; what a group's {@link StatePrecision} saves shows here.
   */
  public long stateBytes() {
    long bytes = 0;
    for (ParamGroup<H> group : groups) {
      for (Parameter p : group.parameters()) {
        for (int k = 0; k < p.stateSlots(); k++) {
          dev.stride.kernel.StateBuffer b = p.buffer(k);
          if (b != null) {
            bytes += b.values.byteSize() + b.scales.byteSize();
          }
        }
      }
    }
    return bytes;
  }

  /** How many times {@link #step()} has run. */
  public long stepCount() {
    return stepCount;
  }

  /**
   * Copies every parameter's value, the rule's state, the step counts and the groups'
   * hyperparameters, for {@link OptimizerSnapshot#restore()}. Close the snapshot to free its
   * copies.
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
   * The state as PyTorch's {@code optimizer.state_dict()} lays it out, as read-only views of this
   * optimizer's memory: save them before the next step. See {@link StateDict}.
   *
   * @throws IllegalStateException as {@link #step()} does
   * @throws WrongThreadException as {@link #step()} does
   */
  public StateDict stateDict() {
    return StateDict.of(this);
  }

  /**
   * Puts {@code state} in place, as PyTorch's {@code load_state_dict}, after checking all of it
   * against this optimizer: the rule, the groups and their sizes, each parameter's length, the
   * state keys, the hyperparameters (read as the rule reads PyTorch's), and that a parameter with
   * state has every buffer the rule keeps. A state of any shape with as many elements fits. It
   * copies from {@code state}'s segments and changes everything or, if it throws, nothing.
   *
   * @throws IllegalArgumentException naming what does not fit; nothing is changed then
   * @throws IllegalStateException as {@link #step()} does; nothing is changed then
   */
  public void loadStateDict(StateDict state) {
    loadStateDict(state, true);
  }

  /**
   * As {@link #loadStateDict(StateDict)}; with {@code everyBuffer} false, a parameter with state
   * may lack a buffer its hyperparameters keep, which the next step then starts afresh: for a state
   * Stride saved, where that means the buffer was not allocated yet (amsgrad switched on after the
   * last step).
   */
  public void loadStateDict(StateDict state, boolean everyBuffer) {
    state.load(this, everyBuffer);
  }

  /**
   * Rounds bfloat16 parameters stochastically with {@code noise}'s bits from now on; null:
   * Stride's.
   */
  void setGivenNoise(GivenNoise noise) {
    this.givenNoise = noise;
  }

  GivenNoise givenNoise() {
    return givenNoise;
  }

  /** Puts a snapshot's copies back; {@link OptimizerSnapshot#restore()} checked them. */
  void restoreCounts(long stepCount) {
    this.stepCount = stepCount;
  }

  /**
   * Runs {@code task} over every chunk of the step plan, on the step's threads, as a step runs the
   * rule: for passes over all parameters besides the update itself (weight averaging). Checks what
   * a step checks first.
   */
  void runChunks(ChunkTask task) {
    checkOpen();
    checkParametersReachable();
    beginRun();
    runner.run(task);
  }

  /** Makes the runner ready for a pass over every parameter: see {@link StepRunner#begin}. */
  private void beginRun() {
    runner.begin(groups, stepsPerTensor(), shard);
  }

  /** States were restored: whether a slab range steps as one is decided again. */
  void replan() {
    runner.invalidate();
  }

  /**
   * Frees the state and stops this optimizer's own workers. Parameters stay as they are.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      runner.close();
      arena.close();
    }
  }

  @Override
  public String toString() {
    return rule.name() + " over " + groups.stream().mapToInt(ParamGroup::size).sum() + " tensors";
  }

  // What a rule class supplies, and what it may use: the rule's side of the step.

  /** This optimizer's implementation of {@code kernel}, as {@link KernelSet#get}. */
  final <K> K kernel(Class<K> kernel) {
    return kernels.get(kernel);
  }

  /**
   * The {@link Rule#groupNumbers()} of a group just added with {@code hyperparameters}: zeros by
   * default. Called by {@link #addGroup}, also for the first group while this optimizer is being
   * constructed.
   */
  double[] newGroupNumbers(H hyperparameters) {
    return new double[rule.groupNumbers().size()];
  }

  /**
   * Throws if the rule cannot take a step now (Schedule-Free in eval mode), before a step checks,
   * allocates or writes anything; nothing by default.
   */
  void checkCanStep() {}

  /**
   * Throws if group {@code group} cannot keep its state in {@code precision} with {@code h}
   * (bitsandbytes' 8-bit Adam has no amsgrad); nothing by default.
   *
   * @throws IllegalArgumentException naming the group, the precision and what refuses it
   */
  void checkPrecision(int group, StatePrecision precision, H h) {}

  /**
   * Advances {@code group}'s numbers for the step about to be taken and keeps what its parameters'
   * {@link #prepare} calls need; nothing by default. Called once per group and step, on the
   * stepping thread, right before {@link #prepare} for that group's parameters.
   */
  void prepareGroup(ParamGroup<H> group) {}

  /**
   * Allocates the buffers that a step with {@code g}'s hyperparameters keeps and {@code p} lacks,
   * each in the format {@code g}'s state precision gives it, and the float32 master copy of a
   * bfloat16 parameter whose group keeps one.
   */
  final void allocateState(ParamGroup<H> g, Parameter p) {
    H h = g.hyperparameters();
    List<Rule.Buffer<H>> buffers = rule.buffers();
    for (int k = 0; k < buffers.size(); k++) {
      Rule.Buffer<H> b = buffers.get(k);
      if (b.kept().test(h) && !p.isAllocated(k)) {
        allocateSlot(g, p, k, (float) b.fill().applyAsDouble(h));
        if (b.copiesValue()) {
          p.state(k).copyFrom(p.value);
        }
      }
    }
    int master = p.masterSlot();
    if (p.bf16 && g.bf16Rounding() == Bf16Rounding.FP32_MASTER && !p.isAllocated(master)) {
      allocateSlot(g, p, master, 0);
      MemorySegment copy = p.state(master);
      for (long i = 0; i < p.count; i++) {
        copy.setAtIndex(
            ValueLayout.JAVA_FLOAT,
            i,
            Float.intBitsToFloat(p.value.getAtIndex(ValueLayout.JAVA_SHORT, i) << 16));
      }
    }
  }

  /**
   * Allocates slot {@code k} of {@code p} (a rule buffer, or its master copy) in the format {@code
   * g}'s precision gives it, filled with {@code initial}, if it is not allocated.
   */
  final void allocateSlot(ParamGroup<H> g, Parameter p, int k, float initial) {
    StatePrecision precision = g.statePrecision();
    StateFormat format =
        k < rule.buffers().size()
            ? rule.buffers().get(k).format(precision, p.count, p.bf16)
            : StateFormat.F32;
    p.allocate(k, stateMemory, initial, format, precision.blockSize());
  }

  /** Parameters or a group's precision changed: the next step cuts its chunks anew. */
  final void invalidatePlan() {
    runner.invalidate();
  }

  /** A coefficients object of the rule's kernel, one per parameter. */
  abstract GradientCoefficients newCoefficients();

  /**
   * Sets {@code p.coefficients()} for the step about to be taken, from {@code h} and {@code p}'s
   * step count and state. Called once per group for parameters that step alike. A rule with {@link
   * Rule#parameterNumbers()} advances them here, to what PyTorch holds after the step: nothing that
   * follows can fail.
   */
  abstract void prepare(H h, Parameter p);

  /**
   * Pass {@code pass} of the rule over elements {@code [offset, offset + count)} of {@code p}. A
   * rule that reduces stores the chunk's results with {@link #setChunkResult} and may use the
   * {@link #partials} and {@link #scratch} of {@code worker}. Rules of one pass without reductions
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

  /**
   * Whether the rule's results are per tensor (trust ratios), so that it steps a slab range tensor
   * by tensor; a rule whose coefficients are the same for a group's tensors steps it as one.
   */
  boolean stepsPerTensor() {
    return false;
  }

  /** How many results per chunk the rule's passes store; 0 for rules that do not reduce. */
  int chunkResults() {
    return 0;
  }

  /** How many chunks of scratch floats per thread the rule's passes use. */
  int scratchChunks() {
    return chunkResults() > 0 ? 1 : 0;
  }

  /**
   * Whether parameters of a group that step alike may share one coefficients object: not for rules
   * whose coefficients hold per-tensor results (LAMB's trust ratio) or per-parameter numbers.
   */
  boolean sharesCoefficients() {
    return rule.parameterNumbers().isEmpty();
  }

  /** Worker {@code worker}'s partial sums for a {@link ReduceKernel}. */
  final double[] partials(int worker) {
    return runner.partials(worker);
  }

  /** Worker {@code worker}'s {@code k}-th chunk of scratch floats, for values a reduction reads. */
  final MemorySegment scratch(int worker, int k) {
    return runner.scratch(worker, k);
  }

  /** Sets result {@code k} of chunk {@code chunk}. */
  final void setChunkResult(int chunk, int k, double value) {
    runner.setChunkResult(chunk, k, value);
  }

  /**
   * Every chunk result summed per plan parameter, over every rank's parts of a tensor that
   * straddles shards: {@code out[j * chunkResults() + k]} is result k's of parameter j. The sums
   * are {@link ExactSums}: the same for any thread count and cut into shards.
   */
  final void parameterSums(double[] out) {
    runner.parameterSums(out);
  }

  /**
   * As {@link #parameterSums}, per group and over every rank: {@code out[g * chunkResults() + k]}.
   */
  final void groupSums(double[] out) {
    runner.groupSums(groups.size(), out);
  }

  /** The parameters in plan order: group by group, as {@link #parameterSums} numbers them. */
  final Parameter[] planParameters() {
    return runner.plan().parameters;
  }

  // Registration and the checks every entry point makes.

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
    if (checksEachGrad) {
      for (int g = 0; g < groups.size(); g++) {
        List<Parameter> parameters = groups.get(g).parameters();
        for (int i = 0; i < parameters.size(); i++) {
          MemorySegment grad = parameters.get(i).grad;
          fine &= grad.scope().isAlive() && grad.isAccessibleBy(current);
        }
      }
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

  /**
   * Throws, naming {@code what} and the parameter, if any parameter is bfloat16: for what reads the
   * values as float32 (value norms, weight averages).
   */
  final void checkFloat32Values(String what) {
    for (ParamGroup<H> group : groups) {
      List<Parameter> parameters = group.parameters();
      for (int i = 0; i < parameters.size(); i++) {
        if (parameters.get(i).bf16) {
          throw new IllegalStateException(
              what
                  + " reads float32 parameters; parameter "
                  + i
                  + " of group "
                  + group.index()
                  + " is bfloat16");
        }
      }
    }
  }

  final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this optimizer is closed");
    }
  }

  /** Refuses a parameter whose value or grad overlaps its own other half or a registered one's. */
  void checkNotRegistered(MemorySegment value, MemorySegment grad) {
    if (Parameter.overlap(value, grad)) {
      throw new IllegalArgumentException("value " + value + " and grad " + grad + " overlap");
    }
    for (MemorySegment s : new MemorySegment[] {value, grad}) {
      Parameter p = memory.overlapping(s, null);
      if (p != null) {
        throw new IllegalArgumentException(
            "value "
                + value
                + " or grad "
                + grad
                + " is already registered: it overlaps "
                + name(p));
      }
    }
  }

  /**
   * Makes {@code grad}, which {@link ParamGroup#setGrad} has checked alone, {@code p}'s gradient.
   *
   * @throws IllegalArgumentException if {@code grad} overlaps a registered value or another
   *     parameter's gradient; nothing is changed then
   */
  void replaceGrad(Parameter p, MemorySegment grad) {
    Parameter other = memory.overlapping(grad, p.grad);
    if (other != null) {
      throw new IllegalArgumentException(
          "grad "
              + grad
              + " overlaps "
              + (other == p ? "the value of " + name(p) : name(other))
              + "; nothing was changed");
    }
    memory.replace(p.grad, grad, p);
    if (!checksEachGrad && !grad.scope().equals(p.grad.scope())) {
      boolean known = false;
      for (int i = 0; i < scopes.size(); i++) {
        known |= scopes.get(i).scope().equals(grad.scope());
      }
      checksEachGrad = !known;
    }
    p.grad = grad;
  }

  /** "parameter i of group g", as messages name a registered parameter. */
  private String name(Parameter p) {
    return "parameter " + groups.get(p.group).parameters().indexOf(p) + " of group " + p.group;
  }

  /** A new parameter for {@link ParamGroup#add}, whose checks it has passed. */
  Parameter register(
      int group, MemorySegment value, MemorySegment grad, long[] shape, boolean bf16) {
    if (shard != null) {
      throw new IllegalArgumentException(
          "a sharded optimizer steps the tensors of its slab alone: add the slab, not segments");
    }
    Parameter p =
        new Parameter(
            group,
            value,
            grad,
            shape,
            bf16,
            rule.stateKeys().size(),
            rule.parameterNumbers().size(),
            newCoefficients());
    memory.add(value, p);
    memory.add(grad, p);
    for (MemorySegment s : new MemorySegment[] {value, grad}) {
      if (scopes.stream().noneMatch(known -> known.scope().equals(s.scope()))) {
        scopes.add(s);
      }
    }
    runner.invalidate();
    return p;
  }

  /** The tensors {@code [from, to)} of {@code slab} for {@link ParamGroup#add}, checked there. */
  SlabRange registerSlab(int group, ParameterSlab slab, int from, int to) {
    if (shard != null && shard.slab() != slab) {
      throw new IllegalArgumentException(
          "this optimizer is sharded over another slab (" + shard.slab() + ") than " + slab);
    }
    SlabRange range =
        new SlabRange(
            slab,
            group,
            from,
            to,
            shard,
            rule.stateKeys().size(),
            rule.parameterNumbers().size(),
            this::newCoefficients);
    // each whole tensor, in or out of the shard, so that no tensor is registered twice
    for (int i = from; i < to; i++) {
      memory.add(slab.tensor(i).value(), range.tensors.get(i - from));
      memory.add(slab.tensor(i).grad(), range.tensors.get(i - from));
    }
    if (scopes.stream().noneMatch(known -> known.scope().equals(slab.values().scope()))) {
      scopes.add(slab.values());
    }
    runner.invalidate();
    return range;
  }
}
