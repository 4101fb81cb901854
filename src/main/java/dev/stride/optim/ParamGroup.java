package dev.stride.optim;

import dev.stride.internal.Args;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parameters that share hyperparameters. A schedule sets the group's learning rate (and momentum or
 * β1) between steps; the next {@link Optimizer#step()} uses them.
 */
public final class ParamGroup<H extends Hyperparameters<H>> {
  private final Optimizer<H> optimizer;
  private final int index;

  /** Every registered tensor, in order: what checkpoints number and norms are reported for. */
  private final List<Parameter> parameters = new ArrayList<>();

  /** What was registered, in order: tensors added alone, and the spans of slab ranges. */
  private final List<Parameter> entries = new ArrayList<>();

  /** What the step plan steps, from {@link #entries}: see {@link #planSteppers}. */
  private final List<Parameter> steppers = new ArrayList<>();

  private H hyperparameters;
  private double l1;
  private StatePrecision statePrecision = StatePrecision.FP32;
  private Bf16Rounding bf16Rounding = Bf16Rounding.NEAREST;

  /** The rule's per-group numbers, in the order of {@link Rule#groupNumbers()}. */
  final double[] numbers;

  /** The hyperparameters and size the state was last allocated for: a step skips the loop then. */
  private H allocatedFor;

  private int allocatedSize;

  ParamGroup(Optimizer<H> optimizer, int index, H hyperparameters) {
    this.optimizer = optimizer;
    this.index = index;
    this.hyperparameters = Objects.requireNonNull(hyperparameters, "hyperparameters");
    this.numbers = optimizer.newGroupNumbers(hyperparameters);
  }

  /**
   * Registers a parameter: its value and its gradient, native segments of the same whole number of
   * floats. The optimizer updates {@code value} in place and allocates its state on the first step.
   *
   * @throws IllegalArgumentException if a segment is not native, read-only, closed, not 4-byte
   *     aligned or not a whole number of floats, if the lengths differ, or if {@code value}
   *     overlaps a parameter already registered
   */
  public ParamGroup<H> add(MemorySegment value, MemorySegment grad) {
    return add(value, grad, value.byteSize() / Float.BYTES);
  }

  /**
   * Registers a parameter of the given shape (row-major, as PyTorch's): what rules that treat 1-D
   * tensors apart (LARS's filters) and checkpoints see. {@link #add(MemorySegment, MemorySegment)}
   * registers a 1-D parameter.
   *
   * @throws IllegalArgumentException as {@link #add(MemorySegment, MemorySegment)} does, or if a
   *     dimension is negative or the shape's elements are not the segments' floats
   */
  public ParamGroup<H> add(MemorySegment value, MemorySegment grad, long... shape) {
    return add(value, grad, shape, false);
  }

  /**
   * Registers a bfloat16 parameter: {@code value} holds its elements as bfloat16 (two bytes each,
   * what the trainer's forward and backward read), {@code grad} as many float32 gradients. The step
   * computes in float32 and stores the result as {@link #setBf16Rounding} says; the state is
   * float32, or the group's {@link #setStatePrecision}, whose plain fallback for small tensors is
   * bfloat16 as torchao's. Only rules that {@link Rule#takesLowPrecision()} take it (Adam, AdamW);
   * value norms and weight averages, which read float32 values, refuse an optimizer that has one.
   *
   * @param shape row-major, as {@link #add(MemorySegment, MemorySegment, long...)}; none for 1-D
   * @throws IllegalArgumentException as {@link #add(MemorySegment, MemorySegment)} does (with
   *     {@code value} 2-byte aligned and whole bfloat16s), or if the rule takes no bfloat16
   *     parameters
   */
  public ParamGroup<H> addBf16(MemorySegment value, MemorySegment grad, long... shape) {
    if (!optimizer.rule().takesLowPrecision()) {
      throw new IllegalArgumentException(
          optimizer.rule() + " updates float32 parameters only; bfloat16 ones need Adam or AdamW");
    }
    long[] flat = {grad.byteSize() / Float.BYTES};
    return add(value, grad, shape.length == 0 ? flat : shape, true);
  }

  private ParamGroup<H> add(MemorySegment value, MemorySegment grad, long[] shape, boolean bf16) {
    optimizer.checkOpen();
    check("value", value, bf16 ? Short.BYTES : Float.BYTES);
    check("grad", grad, Float.BYTES);
    long count = grad.byteSize() / Float.BYTES;
    long bytes = count * (bf16 ? Short.BYTES : Float.BYTES);
    if (value.byteSize() != bytes) {
      throw new IllegalArgumentException(
          "value and grad must have the same length, got "
              + value.byteSize() / (bf16 ? Short.BYTES : Float.BYTES)
              + (bf16 ? " bfloat16s and " : " and ")
              + count
              + " floats");
    }
    long elements = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
      }
      elements = Math.multiplyExact(elements, d);
    }
    if (elements != count) {
      throw new IllegalArgumentException(
          "shape "
              + java.util.Arrays.toString(shape)
              + " holds "
              + elements
              + " elements, the segments "
              + count
              + (bf16 ? " bfloat16s" : " floats"));
    }
    optimizer.checkNotRegistered(value, grad);
    Parameter p = optimizer.register(index, value, grad, shape.clone(), bf16);
    p.chunkAlignment = chunkAlignment();
    parameters.add(p);
    entries.add(p);
    return this;
  }

  /**
   * Registers every tensor of {@code slab}: see {@link #add(ParameterSlab, int, int)}.
   *
   * @throws IllegalArgumentException as {@link #add(ParameterSlab, int, int)} does
   */
  public ParamGroup<H> add(ParameterSlab slab) {
    return add(slab, 0, slab.tensors().size());
  }

  /**
   * Registers tensors {@code [fromTensor, toTensor)} of {@code slab}, each as a parameter of its
   * shape (as {@link #add(MemorySegment, MemorySegment, long...)} would, in the same order), whose
   * state is laid out as the slab is and which a step updates as one range. In a sharded optimizer
   * ({@link Optimizer#setShard}) only their elements in the shard are kept and stepped.
   *
   * @throws IllegalArgumentException if the range is empty or out of the slab, the slab's memory is
   *     closed, a tensor overlaps a parameter already registered, the optimizer is sharded over
   *     another slab, or the group keeps its state in a reduced precision
   */
  public ParamGroup<H> add(ParameterSlab slab, int fromTensor, int toTensor) {
    optimizer.checkOpen();
    java.util.Objects.requireNonNull(slab, "slab");
    int n = slab.tensors().size();
    if (fromTensor < 0 || toTensor > n || fromTensor >= toTensor) {
      throw new IllegalArgumentException(
          "tensors ["
              + fromTensor
              + ", "
              + toTensor
              + ") are not a range of the slab's "
              + n
              + " tensors");
    }
    if (statePrecision.format() != StatePrecision.Format.FP32) {
      throw new IllegalArgumentException(
          "group "
              + index
              + " keeps "
              + statePrecision
              + " state, and a slab's tensors keep float32 state: register them with add(value,"
              + " grad, shape) for a reduced precision");
    }
    if (!slab.values().scope().isAlive()) {
      throw new IllegalArgumentException("the slab belongs to a closed arena: " + slab);
    }
    ParameterSlab.Tensor first = slab.tensor(fromTensor);
    ParameterSlab.Tensor last = slab.tensor(toTensor - 1);
    long from = first.offset() * Float.BYTES;
    long bytes = (last.offset() + last.count()) * Float.BYTES - from;
    optimizer.checkNotRegistered(
        slab.values().asSlice(from, bytes), slab.grads().asSlice(from, bytes));
    SlabRange range = optimizer.registerSlab(index, slab, fromTensor, toTensor);
    parameters.addAll(range.tensors);
    entries.add(range.span);
    return this;
  }

  /**
   * Replaces the gradient of this group's parameter {@code index} (in the order of registration)
   * from the next step on: for trainers that hand over each step's gradients in new memory (DJL's
   * PyTorch engine does). Checked as {@link #add} checks it, without allocating: a few comparisons,
   * whatever the number of parameters. The value, the state and the step count stay.
   *
   * @throws IndexOutOfBoundsException if the group has no parameter {@code index}
   * @throws IllegalArgumentException if {@code grad} is not native, closed, read-only, not 4-byte
   *     aligned, not as long as the value, confined to a thread where the gradient it replaces was
   *     not (or the reverse), or overlaps a registered value or another parameter's gradient, or
   *     the parameter is a slab's tensor; nothing is changed then
   */
  public void setGrad(int index, MemorySegment grad) {
    optimizer.checkOpen();
    Parameter p = parameters.get(Objects.checkIndex(index, parameters.size()));
    if (p.range != null) {
      throw new IllegalArgumentException(
          "parameter "
              + index
              + " is a tensor of a ParameterSlab, which steps the slab's own gradients: write them"
              + " into the tensor's grad() view instead of replacing it");
    }
    check("grad", grad);
    if (grad.byteSize() != p.value.byteSize()) {
      throw new IllegalArgumentException(
          "grad must have the length of parameter "
              + index
              + "'s value, "
              + p.count
              + " floats, got "
              + grad.byteSize() / Float.BYTES);
    }
    if (Parameter.confined(grad) != Parameter.confined(p.grad)) {
      throw new IllegalArgumentException(
          "grad "
              + grad
              + (Parameter.confined(grad) ? " is" : " is not")
              + " confined to one thread, the gradient it replaces "
              + (Parameter.confined(grad) ? "was not" : "was")
              + ": the step plan says which threads may update parameter "
              + index);
    }
    optimizer.replaceGrad(p, grad);
  }

  static void check(String name, MemorySegment segment) {
    check(name, segment, Float.BYTES);
  }

  /** {@code segment} native, alive, writable, aligned to and a whole number of {@code bytes}. */
  private static void check(String name, MemorySegment segment, int bytes) {
    Objects.requireNonNull(segment, name);
    // the kernels need native memory, and a heap segment seen by one slows all (KernelSet)
    if (!segment.isNative()) {
      throw new IllegalArgumentException(
          name
              + " must be a native segment (allocated from an Arena),"
              + " got a heap segment "
              + segment);
    }
    if (!segment.scope().isAlive()) {
      throw new IllegalArgumentException(name + " belongs to a closed arena: " + segment);
    }
    if (segment.isReadOnly()) {
      throw new IllegalArgumentException(
          name + " must be writable, got a read-only segment " + segment);
    }
    if (segment.byteSize() % bytes != 0 || segment.address() % bytes != 0) {
      throw new IllegalArgumentException(
          name
              + (bytes == Float.BYTES
                  ? " must be 4-byte aligned and hold whole floats, got "
                  : " must be 2-byte aligned and hold whole bfloat16s, got ")
              + segment.byteSize()
              + " bytes at address 0x"
              + Long.toHexString(segment.address()));
    }
  }

  public H hyperparameters() {
    return hyperparameters;
  }

  /** Takes effect at the next step. */
  public void setHyperparameters(H hyperparameters) {
    this.hyperparameters = Objects.requireNonNull(hyperparameters, "hyperparameters");
  }

  public double lr() {
    return hyperparameters.lr();
  }

  /**
   * Sets the learning rate for the next step.
   *
   * @throws IllegalArgumentException if {@code lr} is negative or not finite
   */
  public void setLr(double lr) {
    hyperparameters = hyperparameters.withLr(lr);
  }

  /** The L1 strength λ1: every rule adds λ1·sign(p) to the gradient; 0 by default. */
  public double l1() {
    return l1;
  }

  /**
   * Sets the L1 strength λ1 for the next step. The gradient of λ1·Σ|p| is added where the rule adds
   * its L2 term, after maximize and the L2 term itself (see each rule's class Javadoc).
   *
   * @throws IllegalArgumentException if {@code l1} is negative or not finite
   */
  public void setL1(double l1) {
    this.l1 = Args.nonNegative("l1", l1);
  }

  /**
   * How this group keeps its rule's state: {@link StatePrecision#FP32} unless {@link
   * #setStatePrecision} said otherwise.
   */
  public StatePrecision statePrecision() {
    return statePrecision;
  }

  /**
   * Keeps this group's state in {@code precision} from its first step on: bfloat16, or torchao's or
   * bitsandbytes' block-wise codes for the buffers the rule lets a reduced precision hold (Adam's
   * and AdamW's moments). Set it before the group's first step: a state once kept is not converted.
   *
   * @return this group
   * @throws IllegalArgumentException if the rule keeps float32 state only, or for bitsandbytes'
   *     8-bit state with amsgrad, which bitsandbytes refuses, or for a group with a slab's tensors
   * @throws IllegalStateException if a parameter of this group has state already
   */
  public ParamGroup<H> setStatePrecision(StatePrecision precision) {
    Objects.requireNonNull(precision, "precision");
    optimizer.checkOpen();
    if (precision.format() != StatePrecision.Format.FP32 && !optimizer.rule().takesLowPrecision()) {
      throw new IllegalArgumentException(
          optimizer.rule()
              + " keeps its state "
              + optimizer.rule().stateKeys()
              + " in float32 only, not in "
              + precision
              + ": none of it is a moment a reduced precision can hold");
    }
    optimizer.checkPrecision(index, precision, hyperparameters);
    if (precision.format() != StatePrecision.Format.FP32
        && entries.stream().anyMatch(e -> e.range != null)) {
      throw new IllegalArgumentException(
          "group "
              + index
              + " has a slab's tensors, which keep float32 state, not "
              + precision
              + ": register them with add(value, grad, shape) for a reduced precision");
    }
    checkNoState("its state precision");
    this.statePrecision = precision;
    for (Parameter p : parameters) {
      p.chunkAlignment = chunkAlignment();
    }
    optimizer.invalidatePlan();
    return this;
  }

  /** How this group's bfloat16 parameters store their update: {@link Bf16Rounding#NEAREST}. */
  public Bf16Rounding bf16Rounding() {
    return bf16Rounding;
  }

  /**
   * Stores this group's bfloat16 parameters' updates as {@code rounding} says, from the group's
   * first step on.
   *
   * @return this group
   * @throws IllegalArgumentException if the rule takes no bfloat16 parameters
   * @throws IllegalStateException if a parameter of this group has state already
   */
  public ParamGroup<H> setBf16Rounding(Bf16Rounding rounding) {
    Objects.requireNonNull(rounding, "rounding");
    optimizer.checkOpen();
    if (!optimizer.rule().takesLowPrecision()) {
      throw new IllegalArgumentException(optimizer.rule() + " takes no bfloat16 parameters");
    }
    checkNoState("how its bfloat16 parameters round");
    this.bf16Rounding = rounding;
    return this;
  }

  private void checkNoState(String what) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).hasState()) {
        throw new IllegalStateException(
            "parameter "
                + i
                + " of group "
                + index
                + " has state already: set "
                + what
                + " before the group's first step");
      }
    }
  }

  /** What a step's chunks of this group's parameters are a multiple of: a quantized block. */
  private int chunkAlignment() {
    return statePrecision.format().quantized() ? statePrecision.blockSize() : 1;
  }

  /**
   * Sets what a step over this group updates: each tensor added alone, and each slab range as its
   * span or, with {@code perTensor} (a rule with per-tensor results) or where its tensors' states
   * differ, as its tensors one by one. Ranges with no elements in the shard step nothing.
   */
  List<Parameter> planSteppers(boolean perTensor) {
    steppers.clear();
    for (Parameter e : entries) {
      SlabRange range = e.range;
      if (range == null) {
        steppers.add(e);
      } else if (!perTensor && range.stepsAsOne()) {
        steppers.add(e);
      } else {
        java.util.Collections.addAll(steppers, range.members);
      }
    }
    allocatedFor = null; // the steppers' slots are checked again
    return steppers;
  }

  /** Zeroes the gradients registered: a slab range's at once, padding included. */
  void zeroGrads() {
    for (Parameter e : entries) {
      e.grad.fill((byte) 0);
    }
  }

  /** What {@link #planSteppers} set last. */
  List<Parameter> steppers() {
    return steppers;
  }

  /** Allocates the state the next step needs, unless nothing changed since the last time. */
  void allocateState() {
    if (allocatedFor != hyperparameters || allocatedSize != parameters.size()) {
      for (Parameter p : steppers) {
        optimizer.allocateState(this, p);
      }
      allocatedFor = hyperparameters;
      allocatedSize = parameters.size();
    }
  }

  /** Puts back a snapshot's copy of this group; its slots are allocated already. */
  void restore(OptimizerSnapshot.GroupCopy<H> copy) {
    hyperparameters = copy.hyperparameters();
    l1 = copy.l1();
    System.arraycopy(copy.numbers(), 0, numbers, 0, numbers.length);
    allocatedFor = null; // restored slots may be unallocated again
    for (int i = 0; i < parameters.size(); i++) {
      parameters.get(i).restore(copy.parameters().get(i));
    }
    optimizer.replan(); // the tensors of a range may step alike or not now
  }

  /** This group's position in {@link Optimizer#groups()}. */
  public int index() {
    return index;
  }

  /** The number of parameters registered in this group. */
  public int size() {
    return parameters.size();
  }

  List<Parameter> parameters() {
    return parameters;
  }
}
