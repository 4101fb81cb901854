package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.Kernels;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An update rule applied to parameters held in groups. Parameters live in the caller's native
 * memory; the rule's state lives off-heap in memory this optimizer owns, allocated on first use
 * and freed by {@link #close()}.
 *
 * <p>One {@link #step()} updates every parameter of every group in one parallel region: the work
 * is cut into chunks of a fixed size when parameters are registered ({@link StepPlan}), and taken
 * by a {@link StepPool}'s workers and the calling thread. Results are the same to the bit for any
 * number of threads. By default a step uses as many threads as the machine has cores
 * ({@link #setThreads}, or a pool shared with other optimizers: {@link #setPool}); a step over
 * fewer than {@value #PARALLEL_FROM} elements runs on the calling thread alone, since below that
 * waking a second thread cost more than it gained on the 2-core machine this was measured on
 * (BENCHMARKS.md). Parameters in memory confined to one thread ({@code Arena.ofConfined()}) are
 * updated by the calling thread, which must be their owner; the rest go to every thread.
 *
 * <p>A step either updates every parameter or, when it throws, none: everything that can fail is
 * checked before the first parameter is touched. Step from one thread at a time.
 *
 * @param <H> the rule's hyperparameters
 */
public abstract class Optimizer<H extends Hyperparameters<H>> implements AutoCloseable {
  /** Steps over fewer elements than this run on the calling thread alone. */
  public static final long PARALLEL_FROM = 1 << 16;

  final UpdateKernels kernels;
  // Shared, so that workers can update the state and a trainer may build the optimizer on one
  // thread and step it on another.
  private final Arena arena = Arena.ofShared();
  private final List<ParamGroup<H>> groups = new ArrayList<>();
  /** One segment of each distinct memory scope the parameters live in, checked once per step. */
  private final List<MemorySegment> scopes = new ArrayList<>();
  private final ChunkTask updateChunk = (worker, chunk, p, offset, count) -> update(p, offset, count);
  /** Null when parameters were registered since it was made. */
  private StepPlan plan;
  private int threads = Runtime.getRuntime().availableProcessors();
  private StepPool pool;
  private boolean ownsPool;
  private long stepCount;
  private boolean closed;

  Optimizer(H hyperparameters, UpdateKernels kernels) {
    this.kernels = kernels;
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
   * Sets how many threads a step runs on, the calling one included; 1 starts no worker. The
   * workers start at the first step large enough to use them. Replaces a pool set before (a pool
   * of this optimizer's own is closed; one given by {@link #setPool} is left to its owner).
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
   * Updates every registered parameter from its gradient.
   *
   * @throws IllegalStateException if this optimizer or its pool is closed or a parameter's memory
   *     was freed; nothing is updated then
   * @throws WrongThreadException if a parameter's memory is confined to another thread; nothing is
   *     updated then
   */
  public void step() {
    StepPool pool = checkStep();
    prepareCoefficients(1f);
    run(pool, updateChunk);
    finishStep();
  }

  /**
   * Everything a step checks and allocates before it writes: the parameters' memory, the plan,
   * the threads and the rule's state. Returns the pool to run on, or null for the calling thread.
   */
  private StepPool checkStep() {
    checkOpen();
    checkParametersReachable();
    StepPlan plan = plan();
    StepPool pool = poolFor(plan);
    for (ParamGroup<H> group : groups) {
      group.allocateState(arena);
    }
    return pool;
  }

  /** The rule's coefficients for this step, once per group and step count. */
  private void prepareCoefficients(float gradScale) {
    boolean share = scalarKeys().isEmpty();
    for (ParamGroup<H> group : groups) {
      H h = group.hyperparameters();
      Parameter previous = null;
      for (Parameter p : group.parameters()) {
        if (share && previous != null && p.stepsLike(previous)) {
          p.coefficients = previous.coefficients;
        } else {
          p.coefficients = p.ownCoefficients;
          prepare(h, p);
          p.ownCoefficients.setStepTerms(gradScale, group.l1());
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
    for (ParamGroup<H> group : groups) {
      for (Parameter p : group.parameters()) {
        p.stepped();
      }
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
      throw new IllegalStateException("the step pool set by setPool is closed; nothing was updated");
    }
    if (threads == 1 || plan.elements < PARALLEL_FROM || plan.sharedUnits.length < 2) {
      return null;
    }
    if (pool == null) {
      pool = new StepPool(threads);
      ownsPool = true;
    }
    return pool;
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
   * made unallocated again, so the next step starts it afresh), step counts and hyperparameters.
   * Gradients and parameters' memory stay the caller's.
   *
   * @throws IllegalArgumentException if {@code snapshot} was taken of another optimizer or is
   *     closed; nothing is changed then
   * @throws IllegalStateException if groups or parameters were added since the snapshot, or as
   *     {@link #step()} does; nothing is changed then
   * @throws WrongThreadException as {@link #step()} does; nothing is changed then
   */
  public void restore(OptimizerSnapshot<H> snapshot) {
    if (snapshot.optimizer() != this) {
      throw new IllegalArgumentException("snapshot " + snapshot + " was taken of another optimizer");
    }
    if (snapshot.isClosed()) {
      throw new IllegalArgumentException("snapshot " + snapshot + " is closed");
    }
    checkOpen();
    List<OptimizerSnapshot.GroupCopy<H>> copies = snapshot.groups();
    if (copies.size() != groups.size()) {
      throw new IllegalStateException("this optimizer has " + groups.size() + " groups, the snapshot "
          + copies.size() + ": a snapshot restores only what was registered when it was taken");
    }
    for (int g = 0; g < groups.size(); g++) {
      if (groups.get(g).size() != copies.get(g).parameters().size()) {
        throw new IllegalStateException("group " + g + " has " + groups.get(g).size() + " parameters, the snapshot "
            + copies.get(g).parameters().size() + ": a snapshot restores only what was registered when it was taken");
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
            parameters.get(i).allocate(k, arena);
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
   * rule: for passes over all parameters besides the update itself (weight averaging). Checks what a
   * step checks first.
   */
  void runChunks(ChunkTask task) {
    checkOpen();
    checkParametersReachable();
    run(poolFor(plan()), task);
  }

  /** Frees the state and stops this optimizer's own workers. Parameters stay as they are. Idempotent. */
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
   * The rule's state buffers per parameter, under PyTorch's state keys ({@code "exp_avg"}, …):
   * slot k is {@code stateKeys().get(k)}. A constant list.
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

  final int stateSlots() {
    return stateKeys().size();
  }

  final int scalarSlots() {
    return scalarKeys().size();
  }

  /** Allocates the state that a step with {@code h} will need and {@code p} lacks. */
  abstract void allocateState(H h, Parameter p, Arena arena);

  /** A coefficients object of the rule's kernel, one per parameter. */
  abstract GradientCoefficients newCoefficients();

  /**
   * Sets {@code p.coefficients()} for the step about to be taken, from {@code h} and {@code p}'s
   * step count and state. Called once per group for parameters that step alike.
   */
  abstract void prepare(H h, Parameter p);

  /** Applies the rule to elements {@code [offset, offset + count)} of {@code p}. */
  abstract void update(Parameter p, long offset, long count);

  /**
   * Throws, naming the parameter, if any parameter's memory is freed or confined to another thread:
   * checked for all of them before the first is written, so that a failure leaves every parameter
   * and its state as it was. One segment per distinct scope is asked first; the parameters
   * themselves only when that finds a problem, to name the first one.
   */
  void checkParametersReachable() {
    Thread current = Thread.currentThread();
    boolean fine = true;
    for (MemorySegment s : scopes) {
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
          throw new IllegalStateException("parameter " + i + " of group " + group.index()
              + " belongs to a closed arena; nothing was updated");
        }
        if (!p.isAccessibleBy(current)) {
          throw new WrongThreadException("parameter " + i + " of group " + group.index()
              + " is confined to another thread than " + current + "; nothing was updated");
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
          throw new IllegalArgumentException("value " + value + " or grad " + grad
              + " is already registered: it overlaps parameter " + i + " of group " + group.index());
        }
      }
    }
  }

  /** A new parameter for {@link ParamGroup#add}, whose checks it has passed. */
  Parameter register(MemorySegment value, MemorySegment grad) {
    Parameter p = new Parameter(value, grad, stateSlots(), scalarSlots(), newCoefficients());
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
