package dev.stride.optim;

import dev.stride.kernel.StateBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer as it was at one moment, to be put back by {@link #restore()}: every parameter's
 * value, the rule's state (buffers, per-parameter and per-group numbers), the per-parameter and
 * total step counts, and each group's hyperparameters and L1 strength. Gradients are not kept: a
 * trainer recomputes them for every batch.
 *
 * <p>Holds its copies off-heap until {@link #close()}; it may be restored any number of times
 * before that.
 *
 * @param <H> the rule's hyperparameters
 */
public final class OptimizerSnapshot<H extends Hyperparameters<H>> implements AutoCloseable {
  /**
   * One parameter's copies: {@code state[k]} is slot k's values or codes, null where slot k was not
   * allocated, and {@code scales[k]} its block scales, null where it has none; {@code value} is
   * null where a restore leaves the value as it is (a checkpoint saved without values).
   */
  record ParameterCopy(
      MemorySegment value,
      MemorySegment[] state,
      MemorySegment[] scales,
      double[] numbers,
      long step) {}

  /** One group's copies: {@code numbers} are the rule's per-group numbers. */
  record GroupCopy<H>(
      H hyperparameters, double l1, double[] numbers, List<ParameterCopy> parameters) {}

  private final Optimizer<H> optimizer;
  private final Arena arena = Arena.ofShared();
  private final long stepCount;
  private final List<GroupCopy<H>> groups = new ArrayList<>();
  private boolean closed;

  OptimizerSnapshot(Optimizer<H> optimizer, List<ParamGroup<H>> groups, long stepCount) {
    this.optimizer = optimizer;
    this.stepCount = stepCount;
    for (ParamGroup<H> group : groups) {
      List<ParameterCopy> copies = new ArrayList<>();
      for (Parameter p : group.parameters()) {
        MemorySegment[] state = new MemorySegment[p.stateSlots()];
        MemorySegment[] scales = new MemorySegment[p.stateSlots()];
        for (int k = 0; k < state.length; k++) {
          StateBuffer b = p.buffer(k);
          if (b != null) {
            state[k] = copy(b.values);
            scales[k] = b.scales == MemorySegment.NULL ? null : copy(b.scales);
          }
        }
        copies.add(new ParameterCopy(copy(p.value), state, scales, p.numbers.clone(), p.step));
      }
      this.groups.add(
          new GroupCopy<>(group.hyperparameters(), group.l1(), group.numbers.clone(), copies));
    }
  }

  /**
   * A snapshot over copies made elsewhere, such as a checkpoint file's mapped contents: restoring
   * it copies from them, so they must stay readable until then. Closing it frees nothing of theirs.
   */
  static <H extends Hyperparameters<H>> OptimizerSnapshot<H> over(
      Optimizer<H> optimizer, List<GroupCopy<H>> groups, long stepCount) {
    return new OptimizerSnapshot<>(optimizer, stepCount, groups);
  }

  private OptimizerSnapshot(Optimizer<H> optimizer, long stepCount, List<GroupCopy<H>> groups) {
    this.optimizer = optimizer;
    this.stepCount = stepCount;
    this.groups.addAll(groups);
  }

  private MemorySegment copy(MemorySegment source) {
    return arena.allocate(source.byteSize(), Parameter.STATE_ALIGNMENT).copyFrom(source);
  }

  /**
   * Puts back, to the bit, what this snapshot copied into the optimizer it was taken of: values,
   * state (a slot allocated since is made unallocated again, so the next step starts it afresh; the
   * rule's per-parameter and per-group numbers), step counts and hyperparameters. Gradients and
   * parameters' memory stay the caller's.
   *
   * @throws IllegalStateException if this snapshot is closed, groups or parameters were added to
   *     the optimizer since, or as {@link Optimizer#step()} does; nothing is changed then
   * @throws WrongThreadException as {@link Optimizer#step()} does; nothing is changed then
   */
  public void restore() {
    if (closed) {
      throw new IllegalStateException("snapshot " + this + " is closed");
    }
    optimizer.checkOpen();
    List<ParamGroup<H>> mine = optimizer.groups();
    if (groups.size() != mine.size()) {
      throw new IllegalStateException(
          "the optimizer has "
              + mine.size()
              + " groups, the snapshot "
              + groups.size()
              + ": a snapshot restores only what was registered when it was taken");
    }
    for (int g = 0; g < mine.size(); g++) {
      if (mine.get(g).size() != groups.get(g).parameters().size()) {
        throw new IllegalStateException(
            "group "
                + g
                + " has "
                + mine.get(g).size()
                + " parameters, the snapshot "
                + groups.get(g).parameters().size()
                + ": a snapshot restores only what was registered when it was taken");
      }
    }
    optimizer.checkParametersReachable();
    // Allocate before copying: allocation is all that can still fail, and a slot allocated but not
    // yet written holds its initial value and counts as fresh, which steps the same as an
    // unallocated one.
    for (int g = 0; g < mine.size(); g++) {
      List<Parameter> parameters = mine.get(g).parameters();
      for (int i = 0; i < parameters.size(); i++) {
        MemorySegment[] state = groups.get(g).parameters().get(i).state();
        for (int k = 0; k < state.length; k++) {
          if (state[k] != null) {
            optimizer.allocateSlot(mine.get(g), parameters.get(i), k, 0f);
          }
        }
      }
    }
    for (int g = 0; g < mine.size(); g++) {
      mine.get(g).restore(groups.get(g));
    }
    optimizer.restoreCounts(stepCount);
  }

  /** Frees the copies. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      arena.close();
    }
  }
}
