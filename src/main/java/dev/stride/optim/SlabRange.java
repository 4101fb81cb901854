package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A group's part of a {@link ParameterSlab}: consecutive tensors, or in a sharded optimizer their
 * parts in the shard. Their state is one buffer per slot over the whole range, padding included,
 * each tensor's a slice of it. While every tensor has the same step, slots and per-parameter
 * numbers (always, unless a loaded state says otherwise) the range steps as one parameter, its
 * {@link #span}, and a step over it is one range of chunks whatever the tensor count; else its
 * tensors step one by one. Rules with per-tensor results step its tensors one by one too.
 */
final class SlabRange {
  /** The range as one parameter, over its first tensor's first element to its last's last. */
  final Parameter span;

  /** Every tensor of the range, in order; those outside the shard with no elements. */
  final List<Parameter> tensors;

  /** The tensors with elements: what the span steps for. */
  final Parameter[] members;

  /** The span's element 0 in the slab. */
  private final long start;

  SlabRange(
      ParameterSlab slab,
      int group,
      int fromTensor,
      int toTensor,
      ParameterSlab.Shard shard,
      int stateSlots,
      int numberSlots,
      Supplier<GradientCoefficients> coefficients) {
    ParameterSlab.Tensor first = slab.tensor(fromTensor);
    ParameterSlab.Tensor last = slab.tensor(toTensor - 1);
    long from = first.offset();
    long to = last.offset() + last.count();
    if (shard != null) {
      from = Math.clamp(from, shard.from(), shard.to());
      to = Math.clamp(to, shard.from(), shard.to());
    }
    start = from;
    List<Parameter> all = new ArrayList<>();
    List<Parameter> withElements = new ArrayList<>();
    for (int i = fromTensor; i < toTensor; i++) {
      ParameterSlab.Tensor t = slab.tensor(i);
      long a = Math.clamp(t.offset(), from, to);
      long b = Math.clamp(t.offset() + t.count(), from, to);
      Parameter p =
          new Parameter(
              group,
              slice(slab.values(), a, b),
              slice(slab.grads(), a, b),
              t.shapeView(),
              false,
              stateSlots,
              numberSlots,
              coefficients.get(),
              phase(a),
              t,
              b > a ? a - t.offset() : 0,
              b > a ? this : null,
              null);
      all.add(p);
      if (b > a) {
        withElements.add(p);
      }
    }
    tensors = List.copyOf(all);
    members = withElements.toArray(Parameter[]::new);
    span =
        new Parameter(
            group,
            slice(slab.values(), from, to),
            slice(slab.grads(), from, to),
            new long[] {to - from},
            false,
            stateSlots,
            numberSlots,
            coefficients.get(),
            phase(from),
            null,
            0,
            this,
            members);
  }

  private static MemorySegment slice(MemorySegment region, long from, long to) {
    return region.asSlice(from * Float.BYTES, (to - from) * Float.BYTES);
  }

  private static int phase(long slabOffset) {
    return (int) (slabOffset % StepPlan.CHUNK);
  }

  /** Allocates slot {@code k} for the whole range, unfilled, and gives every tensor its slice. */
  void allocateSlot(int k, StateMemory memory) {
    MemorySegment buffer = memory.allocate(k, span.count * Float.BYTES, span);
    span.setBuffer(k, buffer);
    for (Parameter m : members) {
      long at = m.tensor.offset() + m.tensorOffset - start;
      m.setBuffer(k, buffer.asSlice(at * Float.BYTES, m.count * Float.BYTES));
    }
  }

  /**
   * Whether the span can step for the members now, which it then does from their state: when they
   * all have the same step, slots and numbers.
   */
  boolean stepsAsOne() {
    if (members.length == 0) {
      return false;
    }
    for (int i = 1; i < members.length; i++) {
      if (!members[i].sameStateAs(members[0])) {
        return false;
      }
    }
    span.takeStateOf(members[0]);
    return true;
  }
}
