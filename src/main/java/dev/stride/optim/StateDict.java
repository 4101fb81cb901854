package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.StateBuffer;
import dev.stride.kernel.StateFormat;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An optimizer's state as PyTorch's {@code optimizer.state_dict()} lays it out: the rule, each
 * group's hyperparameters under PyTorch's names, and per parameter (numbered across the groups in
 * order, as PyTorch numbers them) its buffers under the rule's state keys, its step count and its
 * per-parameter numbers. Besides PyTorch's: each group's L1 strength and the optimizer's step
 * count, each group's {@link StatePrecision} and {@link Bf16Rounding}, and how each buffer is
 * stored ({@link #encoding}): float32, bfloat16, or codes with block scales ({@link
 * ParameterState#scales}) and the map that turns a code into a value ({@link #codeMap}). What
 * {@code dev.stride.checkpoint} writes to a file and reads back; any other format can be built on
 * it the same way. A state loads only into an optimizer whose groups keep the same precision: codes
 * are not converted.
 *
 * <p>{@link Optimizer#stateDict()} gives read-only views of the live memory, valid until the next
 * step or {@code close()}; {@link Optimizer#loadStateDict} checks a state against an optimizer and
 * puts it in place, all or nothing.
 *
 * <p>A sharded optimizer's ({@link Optimizer#setShard}) is its shard's: each parameter's part in
 * the shard ({@link ParameterState#offset()} and {@link ParameterState#count()} within the tensor's
 * {@link ParameterState#shape()}), none for a tensor outside it; {@link #sharding()} says which
 * rank's of how many. It loads a state of the whole tensors too, taking its parts of them.
 *
 * @param rule the rule whose state it is
 * @param stepCount the optimizer's {@link Optimizer#stepCount()}
 * @param groups the parameter groups, in order
 * @param parameters every parameter, numbered across the groups in order
 * @param sharding the rank whose shard's state it is, or null for an unsharded optimizer's
 */
public record StateDict(
    Rule<?> rule,
    long stepCount,
    List<Group> groups,
    List<ParameterState> parameters,
    Sharding sharding) {

  public StateDict {
    Objects.requireNonNull(rule, "rule");
    groups = List.copyOf(groups);
    parameters = List.copyOf(parameters);
  }

  /** How a state buffer is stored, native byte order. */
  public enum Encoding {
    /** {@code count} float32 values. */
    F32,
    /** {@code count} bfloat16 values (the upper 16 bits of the float32 each equals). */
    BF16,
    /** One code a byte: element i is {@code map[code[i]] · scale[i / blockSize]}. */
    CODES_8BIT,
    /**
     * Two codes a byte, element 2j in byte j's high half and 2j + 1 in its low half (torchao's
     * packing); values as for {@link #CODES_8BIT}.
     */
    CODES_4BIT,
    /** One float8_e4m3fn a byte: element i is {@code e4m3(code[i]) · scale[i / blockSize]}. */
    FLOAT8_E4M3
  }

  /** An unsharded optimizer's state. */
  public StateDict(
      Rule<?> rule, long stepCount, List<Group> groups, List<ParameterState> parameters) {
    this(rule, stepCount, groups, parameters, null);
  }

  /** Rank {@code rank} of {@code ranks}, whose shard a state holds. */
  public record Sharding(int rank, int ranks) {
    /**
     * @throws IllegalArgumentException if {@code ranks} is not positive or {@code rank} not in [0,
     *     ranks)
     */
    public Sharding {
      Args.positive("ranks", ranks);
      if (rank < 0 || rank >= ranks) {
        throw new IllegalArgumentException("rank must be in [0, " + ranks + "), got " + rank);
      }
    }
  }

  /**
   * One parameter group: its hyperparameters as {@link Hyperparameters#toPyTorch()} gives them, its
   * L1 strength, the rule's per-group numbers by key (Schedule-Free's {@code lr_max}, …; all or
   * none), how many parameters it has, and how it keeps its state and rounds its bfloat16
   * parameters.
   */
  public record Group(
      Map<String, Object> hyperparameters,
      double l1,
      Map<String, Double> numbers,
      int size,
      StatePrecision statePrecision,
      Bf16Rounding bf16Rounding) {
    public Group {
      hyperparameters = ordered(hyperparameters);
      numbers = ordered(numbers);
      Objects.requireNonNull(statePrecision, "statePrecision");
      Objects.requireNonNull(bf16Rounding, "bf16Rounding");
    }

    /** A group of float32 state whose bfloat16 parameters round to nearest: PyTorch's. */
    public Group(
        Map<String, Object> hyperparameters, double l1, Map<String, Double> numbers, int size) {
      this(hyperparameters, l1, numbers, size, StatePrecision.FP32, Bf16Rounding.NEAREST);
    }
  }

  /**
   * One parameter: its length and the shape it was registered with (row-major), its value ({@code
   * null} when absent; bfloat16 if {@code bf16}, else float32), the buffers the rule has allocated
   * for it by state key (values or codes, as {@link StateDict#encoding} says), the block scales of
   * the quantized ones by key (float32), the float32 master copy of a bfloat16 parameter whose
   * group keeps one (else null), the steps it has taken, and the rule's per-parameter numbers by
   * key (all or none). Loading reads neither the shape nor anything but the count from it: a state
   * of any shape with as many elements fits. A shard's part of a tensor holds the elements {@code
   * [offset, offset + count)} of the tensor of {@code shape}.
   */
  public record ParameterState(
      long count,
      long[] shape,
      MemorySegment value,
      boolean bf16,
      Map<String, MemorySegment> buffers,
      Map<String, MemorySegment> scales,
      MemorySegment master,
      long step,
      Map<String, Double> numbers,
      long offset) {
    public ParameterState {
      shape = shape.clone();
      buffers = ordered(buffers);
      scales = ordered(scales);
      numbers = ordered(numbers);
      Args.nonNegative("offset", offset);
    }

    /** A whole tensor's. */
    public ParameterState(
        long count,
        long[] shape,
        MemorySegment value,
        boolean bf16,
        Map<String, MemorySegment> buffers,
        Map<String, MemorySegment> scales,
        MemorySegment master,
        long step,
        Map<String, Double> numbers) {
      this(count, shape, value, bf16, buffers, scales, master, step, numbers, 0);
    }

    /** Whether it holds a part of its tensor only (a shard's), not all of it. */
    public boolean isPart() {
      long elements = 1;
      for (long d : shape) {
        elements *= d;
      }
      return offset != 0 || count != elements;
    }

    /** A float32 parameter whose buffers are float32: PyTorch's. */
    public ParameterState(
        long count,
        long[] shape,
        MemorySegment value,
        Map<String, MemorySegment> buffers,
        long step,
        Map<String, Double> numbers) {
      this(count, shape, value, false, buffers, Map.of(), null, step, numbers, 0);
    }

    /**
     * Whether the rule has anything for it: PyTorch's state has no entry for a parameter without.
     */
    public boolean hasState() {
      return step > 0 || !buffers.isEmpty() || !numbers.isEmpty();
    }
  }

  /**
   * How buffer {@code key} of parameter {@code parameter} is stored: what its group's precision
   * gives a buffer of its size (float32 state stays float32 whatever the precision).
   *
   * @throws IllegalArgumentException if there is no such parameter or the rule has no such key
   */
  public Encoding encoding(int parameter, String key) {
    return encoding(format(parameter, key));
  }

  /**
   * The values the codes of a {@link Encoding#CODES_8BIT} or {@link Encoding#CODES_4BIT} buffer
   * stand for before their block's scale (torchao's and bitsandbytes' {@code qmap}); null for the
   * other encodings.
   *
   * @throws IllegalArgumentException as {@link #encoding} does
   */
  public float[] codeMap(int parameter, String key) {
    StateFormat f = format(parameter, key);
    return f.quantized() && f != StateFormat.FP8 ? f.codeValues() : null;
  }

  /** The format {@code parameter}'s buffer {@code key} has in its group's precision. */
  StateFormat format(int parameter, String key) {
    Objects.checkIndex(parameter, parameters.size());
    int k = rule.stateKeys().indexOf(key);
    if (k < 0) {
      throw new IllegalArgumentException(
          rule + " has no state key " + key + "; its keys are " + rule.stateKeys());
    }
    int g = 0; // the group holding the parameter: groups number their parameters in order
    for (int first = 0; parameter >= first + groups.get(g).size(); g++) {
      first += groups.get(g).size();
    }
    ParameterState p = parameters.get(parameter);
    return rule.buffers().get(k).format(groups.get(g).statePrecision(), p.count(), p.bf16());
  }

  static Encoding encoding(StateFormat f) {
    return switch (f) {
      case F32 -> Encoding.F32;
      case BF16 -> Encoding.BF16;
      case Q4_SIGNED, Q4_UNSIGNED -> Encoding.CODES_4BIT;
      case FP8 -> Encoding.FLOAT8_E4M3;
      default -> Encoding.CODES_8BIT;
    };
  }

  /** An unmodifiable copy in the same order: keys are written in it. */
  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** The state of {@code o} now, as read-only views of its memory. */
  static StateDict of(Optimizer<?> o) {
    o.checkOpen();
    o.checkParametersReachable();
    Rule<?> rule = o.rule();
    List<Group> groups = new ArrayList<>();
    List<ParameterState> parameters = new ArrayList<>();
    List<String> keys = rule.stateKeys();
    List<String> numberKeys = rule.parameterNumbers();
    List<String> groupKeys = rule.groupNumbers();
    for (ParamGroup<?> g : o.groups()) {
      Map<String, Double> groupNumbers = new LinkedHashMap<>();
      for (int k = 0; k < groupKeys.size(); k++) {
        groupNumbers.put(groupKeys.get(k), g.numbers[k]);
      }
      groups.add(
          new Group(
              g.hyperparameters().toPyTorch(),
              g.l1(),
              groupNumbers,
              g.size(),
              g.statePrecision(),
              g.bf16Rounding()));
      for (Parameter p : g.parameters()) {
        Map<String, MemorySegment> buffers = new LinkedHashMap<>();
        Map<String, MemorySegment> scales = new LinkedHashMap<>();
        for (int k = 0; k < keys.size(); k++) {
          StateBuffer b = p.buffer(k);
          if (b != null) {
            buffers.put(keys.get(k), b.values.asReadOnly());
            if (b.format.quantized()) {
              scales.put(keys.get(k), b.scales.asReadOnly());
            }
          }
        }
        MemorySegment master = p.state(p.masterSlot());
        Map<String, Double> numbers = new LinkedHashMap<>();
        if (p.step > 0 || !buffers.isEmpty()) {
          for (int k = 0; k < numberKeys.size(); k++) {
            numbers.put(numberKeys.get(k), p.numbers[k]);
          }
        }
        parameters.add(
            new ParameterState(
                p.count,
                p.shape,
                p.value.asReadOnly(),
                p.bf16,
                buffers,
                scales,
                master == MemorySegment.NULL ? null : master.asReadOnly(),
                p.step,
                numbers,
                p.tensorOffset));
      }
    }
    ParameterSlab.Shard shard = o.shard();
    Sharding sharding = shard == null ? null : new Sharding(shard.rank(), shard.ranks());
    return new StateDict(rule, o.stepCount(), groups, parameters, sharding);
  }

  /**
   * Checks this state against {@code o} and puts it in place: the groups' hyperparameters (read by
   * the rule's {@link Rule#fromPyTorch}), L1 strengths and numbers (a group without them, none of
   * whose parameters has state, gets the rule's first ones), every parameter's value (where given),
   * buffers, step and numbers, and the step count. A buffer the state lacks is unallocated, so the
   * next step starts it afresh. It copies from this state's segments, and changes everything or, if
   * it throws, nothing.
   *
   * @param everyBuffer whether a parameter with state must have every buffer the rule keeps for its
   *     group's hyperparameters: for a state whose completeness nothing else vouches for
   * @throws IllegalArgumentException naming what does not fit: another rule, other group sizes or
   *     lengths, an unknown key, a refused hyperparameter, a missing buffer
   * @throws IllegalStateException as {@link Optimizer#step()} does
   */
  <H extends Hyperparameters<H>> void load(Optimizer<H> o, boolean everyBuffer) {
    o.checkOpen();
    o.checkParametersReachable();
    Rule<H> rule = o.rule();
    if (!this.rule.name().equals(rule.name())) {
      throw new IllegalArgumentException(
          "the state is " + this.rule.name() + "'s, the optimizer's rule is " + rule.name());
    }
    Args.nonNegative("step count", stepCount);
    List<ParamGroup<H>> mine = o.groups();
    if (groups.size() != mine.size()) {
      throw new IllegalArgumentException(
          "the state has "
              + groups.size()
              + " parameter groups, the "
              + rule
              + " optimizer "
              + mine.size());
    }
    int total = mine.stream().mapToInt(ParamGroup::size).sum();
    if (parameters.size() != total) {
      throw new IllegalArgumentException(
          "the state has "
              + parameters.size()
              + " parameters, the "
              + rule
              + " optimizer "
              + total);
    }
    List<String> keys = rule.stateKeys();
    List<OptimizerSnapshot.GroupCopy<H>> copies = new ArrayList<>();
    int index = 0;
    for (int g = 0; g < mine.size(); g++) {
      Group group = groups.get(g);
      if (group.size() != mine.get(g).size()) {
        throw new IllegalArgumentException(
            "group "
                + g
                + " of the state has "
                + group.size()
                + " parameters, the optimizer's "
                + mine.get(g).size());
      }
      ParamGroup<H> target = mine.get(g);
      if (!group.statePrecision().equals(target.statePrecision())
          || group.bf16Rounding() != target.bf16Rounding()) {
        throw new IllegalArgumentException(
            "group "
                + g
                + " of the state keeps "
                + group.statePrecision()
                + " state and rounds bfloat16 parameters "
                + group.bf16Rounding()
                + ", the optimizer's "
                + target.statePrecision()
                + " and "
                + target.bf16Rounding()
                + ": a state loads only into an optimizer of its own precision");
      }
      H h = hyperparameters(o, g, group.hyperparameters());
      o.checkPrecision(g, group.statePrecision(), h);
      Args.nonNegative("l1 of group " + g, group.l1());
      double[] groupNumbers =
          groupNumbers(o, g, h, group, parameters.subList(index, index + group.size()));
      List<OptimizerSnapshot.ParameterCopy> parameterCopies = new ArrayList<>();
      for (Parameter p : mine.get(g).parameters()) {
        ParameterState s = partOf(parameters.get(index), p);
        check(rule, h, target, index, p, s, everyBuffer);
        MemorySegment[] state = new MemorySegment[p.stateSlots()];
        MemorySegment[] scales = new MemorySegment[p.stateSlots()];
        for (int k = 0; k < keys.size(); k++) {
          state[k] = s.buffers().get(keys.get(k));
          scales[k] = s.scales().get(keys.get(k));
        }
        state[p.masterSlot()] = s.master();
        double[] numbers = new double[rule.parameterNumbers().size()];
        for (int k = 0; k < numbers.length && !s.numbers().isEmpty(); k++) {
          numbers[k] = s.numbers().get(rule.parameterNumbers().get(k));
        }
        parameterCopies.add(
            new OptimizerSnapshot.ParameterCopy(s.value(), state, scales, numbers, s.step()));
        index++;
      }
      copies.add(new OptimizerSnapshot.GroupCopy<>(h, group.l1(), groupNumbers, parameterCopies));
    }
    try (OptimizerSnapshot<H> snapshot = OptimizerSnapshot.over(o, copies, stepCount)) {
      snapshot.restore();
    }
  }

  /**
   * {@code s} as it fits {@code p}: itself, or {@code p}'s part of it where {@code s} is the whole
   * tensor and {@code p} a shard's part of it.
   */
  private static ParameterState partOf(ParameterState s, Parameter p) {
    if (s == null || p.tensor == null || s.count() == p.count || s.isPart()) {
      return s;
    }
    if (s.count() != p.tensor.count()) {
      return s; // refused by check, naming the lengths
    }
    if (p.count == 0) { // the tensor lies outside the shard: nothing of it is kept here
      return new ParameterState(
          0, s.shape(), null, false, Map.of(), Map.of(), null, 0, Map.of(), 0);
    }
    long from = p.tensorOffset * Float.BYTES;
    long bytes = p.count * Float.BYTES;
    Map<String, MemorySegment> buffers = new LinkedHashMap<>();
    s.buffers().forEach((k, b) -> buffers.put(k, b.asSlice(from, bytes)));
    return new ParameterState(
        p.count,
        s.shape(),
        s.value() == null ? null : s.value().asSlice(from, bytes),
        false,
        buffers,
        Map.of(),
        null,
        s.step(),
        s.numbers(),
        p.tensorOffset);
  }

  /** Group {@code g}'s numbers in the rule's order, or the rule's first ones where it has none. */
  private static <H extends Hyperparameters<H>> double[] groupNumbers(
      Optimizer<H> o, int g, H h, Group group, List<ParameterState> parameters) {
    List<String> keys = o.rule().groupNumbers();
    if (group.numbers().isEmpty()) {
      if (!keys.isEmpty() && parameters.stream().anyMatch(ParameterState::hasState)) {
        throw new IllegalArgumentException(
            "group "
                + g
                + " has parameters with state but not the "
                + o.rule()
                + " group's numbers "
                + keys);
      }
      return o.newGroupNumbers(h);
    }
    if (!group.numbers().keySet().equals(new HashSet<>(keys))) {
      throw new IllegalArgumentException(
          "group "
              + g
              + " has the numbers "
              + group.numbers().keySet()
              + "; "
              + o.rule()
              + " keeps "
              + keys);
    }
    double[] values = new double[keys.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = group.numbers().get(keys.get(k));
    }
    return values;
  }

  /**
   * The rule's hyperparameters from PyTorch's names, through the rule's own {@code fromPyTorch}.
   */
  private static <H extends Hyperparameters<H>> H hyperparameters(
      Optimizer<H> o, int g, Map<String, Object> pytorch) {
    H h;
    try {
      h = o.rule().fromPyTorch(pytorch);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("group " + g + ": " + e.getMessage(), e);
    }
    Class<?> type = o.group(g).hyperparameters().getClass();
    if (!type.isInstance(h)) {
      throw new IllegalArgumentException(
          "group "
              + g
              + ": "
              + o.rule()
              + " reads "
              + h.getClass().getSimpleName()
              + ", not "
              + type.getSimpleName());
    }
    return h;
  }

  private static <H extends Hyperparameters<H>> void check(
      Rule<H> rule,
      H h,
      ParamGroup<H> group,
      int i,
      Parameter p,
      ParameterState s,
      boolean everyBuffer) {
    Objects.requireNonNull(s, "parameter " + i);
    String name = "parameter " + i;
    if (s.count() != p.count) {
      throw new IllegalArgumentException(
          name + " has " + s.count() + " elements in the state, " + p.count + " in the optimizer");
    }
    if (s.bf16() != p.bf16) {
      throw new IllegalArgumentException(
          name
              + " is "
              + (s.bf16() ? "bfloat16" : "float32")
              + " in the state, "
              + (p.bf16 ? "bfloat16" : "float32")
              + " in the optimizer");
    }
    if (p.tensor != null && s.offset() != p.tensorOffset) {
      throw new IllegalArgumentException(
          name
              + " holds elements ["
              + s.offset()
              + ", "
              + (s.offset() + s.count())
              + ") of its tensor in the state, ["
              + p.tensorOffset
              + ", "
              + (p.tensorOffset + p.count)
              + ") in this shard: another rank's part");
    }
    long bytes = p.count * (p.bf16 ? Short.BYTES : Float.BYTES);
    if (s.value() != null && s.value().byteSize() != bytes) {
      throw new IllegalArgumentException(
          name + "'s value has " + s.value().byteSize() + " bytes, not " + bytes);
    }
    Args.nonNegative(name + "'s step", s.step());
    StatePrecision precision = group.statePrecision();
    for (Map.Entry<String, MemorySegment> e : s.buffers().entrySet()) {
      int k = rule.stateKeys().indexOf(e.getKey());
      if (k < 0) {
        throw new IllegalArgumentException(
            name
                + " has a buffer "
                + e.getKey()
                + ", which "
                + rule
                + " does not keep; its state keys are "
                + rule.stateKeys());
      }
      StateFormat f = rule.buffers().get(k).format(precision, p.count, p.bf16);
      long expected = f.valueBytes(p.count);
      if (e.getValue().byteSize() != expected) {
        throw new IllegalArgumentException(
            name
                + "'s "
                + e.getKey()
                + " has "
                + e.getValue().byteSize()
                + " bytes, not the "
                + expected
                + " of "
                + p.count
                + " elements as "
                + encoding(f));
      }
      MemorySegment scales = s.scales().get(e.getKey());
      long expectedScales = f.scaleCount(p.count, precision.blockSize()) * Float.BYTES;
      if (f.quantized() != (scales != null)
          || (scales != null && scales.byteSize() != expectedScales)) {
        throw new IllegalArgumentException(
            name
                + "'s "
                + e.getKey()
                + (scales == null
                    ? " has no block scales, which its " + encoding(f) + " codes need"
                    : " has "
                        + scales.byteSize()
                        + " bytes of block scales, not "
                        + expectedScales));
      }
    }
    for (String key : s.scales().keySet()) {
      if (!s.buffers().containsKey(key)) {
        throw new IllegalArgumentException(name + " has block scales of " + key + " but no codes");
      }
    }
    boolean keepsMaster = p.bf16 && group.bf16Rounding() == Bf16Rounding.FP32_MASTER;
    if (s.master() != null && (!keepsMaster || s.master().byteSize() != p.count * Float.BYTES)) {
      throw new IllegalArgumentException(
          name
              + (keepsMaster
                  ? "'s master copy has "
                      + s.master().byteSize()
                      + " bytes, not "
                      + p.count * Float.BYTES
                  : " has a master copy, which the optimizer's group does not keep"));
    }
    if (everyBuffer && keepsMaster && s.hasState() && s.master() == null) {
      throw new IllegalArgumentException(name + " has state but no float32 master copy");
    }
    List<String> numberKeys = rule.parameterNumbers();
    if (!s.numbers().isEmpty() && !s.numbers().keySet().equals(new HashSet<>(numberKeys))) {
      throw new IllegalArgumentException(
          name + " has the numbers " + s.numbers().keySet() + "; " + rule + " keeps " + numberKeys);
    }
    if (everyBuffer && s.hasState()) {
      if (s.numbers().isEmpty() && !numberKeys.isEmpty()) {
        throw new IllegalArgumentException(name + " lacks " + numberKeys);
      }
      for (String missing : rule.buffersFor(h)) {
        if (!s.buffers().containsKey(missing)) {
          throw new IllegalArgumentException(
              name
                  + " has state but no "
                  + missing
                  + ", which "
                  + rule
                  + " keeps with these hyperparameters");
        }
      }
    }
  }
}
