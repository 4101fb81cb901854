package dev.stride.optim;

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
 * <p>A step either updates every parameter or, when it throws, none: everything that can fail is
 * checked before the first parameter is touched. Not thread-safe: step from one thread at a time.
 *
 * @param <H> the rule's hyperparameters
 */
public abstract sealed class Optimizer<H extends Hyperparameters<H>> implements AutoCloseable
    permits Sgd, Adam {
  private final UpdateKernels kernels;
  // Shared, so a trainer may build the optimizer on one thread and step it on another.
  private final Arena arena = Arena.ofShared();
  private final List<ParamGroup<H>> groups = new ArrayList<>();
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
   * Updates every registered parameter from its gradient.
   *
   * @throws IllegalStateException if this optimizer is closed or a parameter's memory was freed;
   *     nothing is updated then
   * @throws WrongThreadException if a parameter's memory is confined to another thread; nothing is
   *     updated then
   */
  public void step() {
    checkOpen();
    checkParametersReachable();
    for (ParamGroup<H> group : groups) {
      for (Parameter p : group.parameters()) {
        allocateState(group.hyperparameters(), p, arena);
      }
    }
    for (ParamGroup<H> group : groups) {
      H h = group.hyperparameters();
      for (Parameter p : group.parameters()) {
        update(h, p, kernels);
        p.stepped();
      }
    }
    stepCount++;
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
    // yet written holds zeros and counts as fresh, which steps the same as an unallocated one.
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
      ParamGroup<H> group = groups.get(g);
      group.setHyperparameters(copies.get(g).hyperparameters());
      for (int i = 0; i < group.size(); i++) {
        group.parameters().get(i).restore(copies.get(g).parameters().get(i));
      }
    }
    stepCount = snapshot.stepCount();
  }

  /** Frees the state. Parameters, which the caller owns, stay as they are. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      arena.close();
    }
  }

  /** How many state buffers the rule keeps per parameter. */
  abstract int stateSlots();

  /** Allocates the state that a step with {@code h} will need and {@code p} lacks. */
  abstract void allocateState(H h, Parameter p, Arena arena);

  /** Applies the rule to one parameter. */
  abstract void update(H h, Parameter p, UpdateKernels kernels);

  /**
   * Throws, naming the parameter, if any parameter's memory is freed or confined to another thread:
   * checked for all of them before the first is written, so that a failure leaves every parameter
   * and its state as it was.
   */
  private void checkParametersReachable() {
    Thread current = Thread.currentThread();
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

  static UpdateKernels defaultKernels() {
    return Kernels.get();
  }
}
