package dev.stride.optim;

import dev.stride.internal.Args;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of many tensors and their gradients, each in one contiguous region: a view per
 * tensor ({@link Tensor#value()}, {@link Tensor#grad()}) for the trainer's forward and backward
 * passes, and the whole regions ({@link #values()}, {@link #grads()}) for its collectives. An
 * optimizer that takes a slab ({@link Optimizer#add(ParameterSlab)}, {@link ParamGroup#add(
 * ParameterSlab, int, int)}) lays its state out the same way and steps a group's part of it as one
 * range, whatever the tensor count; rules with per-tensor results (LAMB's and LARS's trust ratios,
 * {@link Optimizer#gradientNorms}) keep them per tensor, and checkpoints still number the tensors
 * one by one.
 *
 * <pre>{@code
 * ParameterSlab slab = ParameterSlab.builder()
 *     .tensor("embedding", 1000, 64)
 *     .tensor("layer.weight", 64, 64)
 *     .tensor("layer.bias", 64)
 *     .allocate(arena);
 * adamW.add(slab);
 * MemorySegment w = slab.tensor("layer.weight").value();   // read by the forward pass
 * }</pre>
 *
 * <p>Each tensor starts on a cache line ({@value #TENSOR_ALIGNMENT} floats), so a few floats of
 * padding may sit between tensors; they are zero, and a step keeps them zero. Write the tensors
 * through their views: the padding must stay zero (a collective over the whole regions, which adds
 * or copies zeros there, keeps it so), since a step over a range reads it too. The values start on
 * a page and the gradients an eighth of a page further, so that their streams do not alias in the
 * cache (the optimizer staggers its state buffers the same way). The memory is the arena's: it
 * lives as long as the arena, and a slab in confined memory is stepped by its owner thread alone.
 *
 * <p>For data-parallel training the slab is cut into {@link Shard}s on a grid of {@value #GRID}
 * elements, the grid the step cuts its work on: an optimizer given {@link Optimizer#setShard(Shard,
 * AllReduce)} keeps the state of its shard alone and steps only it.
 */
public final class ParameterSlab {
  /** Tensors start on a multiple of this many floats: 64 bytes, a cache line. */
  public static final int TENSOR_ALIGNMENT = 16;

  /**
   * The grid the step cuts a slab's work on, in elements: its chunks, and the sums of its
   * reductions, never cross a multiple of it. Shards start and end on it.
   */
  public static final int GRID = StepPlan.CHUNK;

  private static final long PAGE = 4096;

  /** The gradients' offset in their page, against the values' 0. */
  private static final long GRAD_STAGGER = PAGE / 8;

  private final List<Tensor> tensors;
  private final Map<String, Tensor> byName = new HashMap<>();
  private final MemorySegment values;
  private final MemorySegment grads;
  private final long size;

  private ParameterSlab(List<Spec> specs, long size, Arena arena) {
    long bytes = size * Float.BYTES;
    this.size = size;
    this.values = arena.allocate(bytes + PAGE, PAGE).asSlice(0, bytes);
    this.grads = arena.allocate(bytes + PAGE, PAGE).asSlice(GRAD_STAGGER, bytes);
    List<Tensor> all = new ArrayList<>();
    for (Spec s : specs) {
      Tensor t = new Tensor(this, all.size(), s.name, s.shape, s.offset, s.count);
      all.add(t);
      byName.put(s.name, t);
    }
    this.tensors = Collections.unmodifiableList(all);
  }

  /** A builder of a slab: name and shape each tensor, then allocate. */
  public static Builder builder() {
    return new Builder();
  }

  /** The tensors in the order they were named, which is their order in the slab. */
  public List<Tensor> tensors() {
    return tensors;
  }

  /**
   * @throws IndexOutOfBoundsException if there is no tensor {@code index}
   */
  public Tensor tensor(int index) {
    return tensors.get(index);
  }

  /**
   * @throws IllegalArgumentException if no tensor is named {@code name}
   */
  public Tensor tensor(String name) {
    Tensor t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "the slab has no tensor named \"" + name + "\"; it has " + tensors.size() + " tensors");
    }
    return t;
  }

  /** Floats in each of the two regions: the tensors' elements, their padding and the slab's. */
  public long size() {
    return size;
  }

  /** Every tensor's value, padding included: what a trainer all-gathers or broadcasts. */
  public MemorySegment values() {
    return values;
  }

  /** Every tensor's gradient, padding included: what a trainer all-reduces or reduce-scatters. */
  public MemorySegment grads() {
    return grads;
  }

  /** Sets every gradient to zero. */
  public void zeroGrad() {
    grads.fill((byte) 0);
  }

  /**
   * Shard {@code rank} of {@code ranks}: the slab cut on the {@value #GRID}-element grid into
   * {@code ranks} ranges as equal as the grid allows, in rank order (the last ones shorter, or
   * empty for a slab of fewer grid cells than ranks). {@link Builder#shardable(int)} makes them all
   * equal.
   *
   * @throws IllegalArgumentException if {@code ranks} is less than 1 or {@code rank} is not in [0,
   *     ranks)
   */
  public Shard shard(int rank, int ranks) {
    Args.positive("ranks", ranks);
    if (rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank must be in [0, " + ranks + "), got " + rank);
    }
    return new Shard(this, rank, ranks);
  }

  /** Where shard {@code rank} of {@code ranks} starts: {@link #size()} for rank = ranks. */
  long shardStart(int rank, int ranks) {
    long cells = (size + GRID - 1) / GRID;
    long perShard = (cells + ranks - 1) / ranks;
    return Math.min(rank * perShard * GRID, size);
  }

  @Override
  public String toString() {
    return "ParameterSlab of " + tensors.size() + " tensors, " + size + " floats";
  }

  /**
   * One tensor of a slab: its name and shape, where it starts in the slab ({@link #offset()}, in
   * elements), and views of its value and its gradient, {@link #count()} floats each.
   */
  public static final class Tensor {
    private final ParameterSlab slab;
    private final int index;
    private final String name;
    private final long[] shape;
    private final long offset;
    private final long count;
    private final MemorySegment value;
    private final MemorySegment grad;

    private Tensor(
        ParameterSlab slab, int index, String name, long[] shape, long offset, long count) {
      this.slab = slab;
      this.index = index;
      this.name = name;
      this.shape = shape;
      this.offset = offset;
      this.count = count;
      this.value = slab.values.asSlice(offset * Float.BYTES, count * Float.BYTES);
      this.grad = slab.grads.asSlice(offset * Float.BYTES, count * Float.BYTES);
    }

    public ParameterSlab slab() {
      return slab;
    }

    /** Its position in {@link ParameterSlab#tensors()}. */
    public int index() {
      return index;
    }

    public String name() {
      return name;
    }

    /** The shape it was named with, row-major. */
    public long[] shape() {
      return shape.clone();
    }

    long[] shapeView() {
      return shape;
    }

    /** Its first element's position in the slab's regions. */
    public long offset() {
      return offset;
    }

    /** Its elements: the product of its shape. */
    public long count() {
      return count;
    }

    public MemorySegment value() {
      return value;
    }

    public MemorySegment grad() {
      return grad;
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + " at " + offset;
    }
  }

  /**
   * One rank's range {@code [from, to)} of a slab, in elements, for data-parallel training: the
   * optimizer of that rank keeps the state of this range alone and steps it ({@link
   * Optimizer#setShard}); a tensor may straddle two shards or more. {@link #values()} and {@link
   * #grads()} are the range's views, for the trainer's reduce-scatter of gradients before a step
   * and its all-gather of values after.
   */
  public static final class Shard {
    private final ParameterSlab slab;
    private final int rank;
    private final int ranks;
    private final long from;
    private final long to;

    private Shard(ParameterSlab slab, int rank, int ranks) {
      this.slab = slab;
      this.rank = rank;
      this.ranks = ranks;
      this.from = slab.shardStart(rank, ranks);
      this.to = slab.shardStart(rank + 1, ranks);
    }

    public ParameterSlab slab() {
      return slab;
    }

    public int rank() {
      return rank;
    }

    public int ranks() {
      return ranks;
    }

    /** The first element of the shard. */
    public long from() {
      return from;
    }

    /** The element after the shard's last. */
    public long to() {
      return to;
    }

    public long size() {
      return to - from;
    }

    public MemorySegment values() {
      return slab.values.asSlice(from * Float.BYTES, size() * Float.BYTES);
    }

    public MemorySegment grads() {
      return slab.grads.asSlice(from * Float.BYTES, size() * Float.BYTES);
    }

    /** Whether {@code other} is the same rank's shard of the same slab cut the same way. */
    boolean sameAs(Shard other) {
      return other.slab == slab && other.rank == rank && other.ranks == ranks;
    }

    @Override
    public String toString() {
      return "shard " + rank + " of " + ranks + ": [" + from + ", " + to + ") of " + slab;
    }
  }

  private record Spec(String name, long[] shape, long offset, long count) {}

  /** Names the tensors of a slab in order, then allocates it. */
  public static final class Builder {
    private final List<Spec> specs = new ArrayList<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private long end;
    private int shardable = 1;

    private Builder() {}

    /**
     * Adds a tensor of {@code shape} (row-major; {@code []} is a scalar of one element) after the
     * ones named so far.
     *
     * @throws IllegalArgumentException if {@code name} is empty or taken, or a dimension is
     *     negative
     */
    public Builder tensor(String name, long... shape) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(shape, "shape");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("a tensor's name must not be empty");
      }
      if (names.contains(name)) {
        throw new IllegalArgumentException("a tensor is already named \"" + name + "\"");
      }
      long count = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(
              "tensor \"" + name + "\" has a negative dimension: " + Arrays.toString(shape));
        }
        count = Math.multiplyExact(count, d);
      }
      long offset = (end + TENSOR_ALIGNMENT - 1) / TENSOR_ALIGNMENT * TENSOR_ALIGNMENT;
      specs.add(new Spec(name, shape.clone(), offset, count));
      names.add(name);
      end = Math.addExact(offset, count);
      return this;
    }

    /**
     * Pads the slab to a multiple of {@code ranks} × {@value #GRID} floats, so that its {@code
     * ranks} shards are all of one length: what an all-gather of equal counts needs.
     *
     * @throws IllegalArgumentException if {@code ranks} is less than 1
     */
    public Builder shardable(int ranks) {
      this.shardable = Math.toIntExact(Args.positive("ranks", ranks));
      return this;
    }

    /**
     * The slab in {@code arena}'s memory, zero-filled.
     *
     * @throws IllegalArgumentException if no tensor was named
     */
    public ParameterSlab allocate(Arena arena) {
      Objects.requireNonNull(arena, "arena");
      if (specs.isEmpty()) {
        throw new IllegalArgumentException("a slab needs at least one tensor, got none");
      }
      long multiple = (long) shardable * (shardable > 1 ? GRID : TENSOR_ALIGNMENT);
      long size = Math.max(multiple, (end + multiple - 1) / multiple * multiple);
      return new ParameterSlab(specs, size, arena);
    }
  }
}
