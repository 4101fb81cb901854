package dev.stride.optim;

import dev.stride.internal.Args;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An optimizer's state as PyTorch's {@code optimizer.state_dict()} lays it out: the rule's {@code
 * torch.optim} name, each group's hyperparameters under PyTorch's names, and per parameter
 * (numbered across the groups in order, as PyTorch numbers them) its buffers under PyTorch's state
 * keys, its step count and its per-parameter numbers. Besides PyTorch's: each group's L1 strength
 * and the optimizer's step count. What {@code dev.stride.checkpoint} writes to a file and reads
 * back; any other format can be built on it the same way.
 *
 * <p>{@link #of} gives read-only views of the live memory, valid until the next step or {@code
 * close()}; {@link #loader} checks a state read from elsewhere against an optimizer and returns
 * what puts it in place, all or nothing.
 */
public final class StateDict {

  /**
   * One parameter group: its hyperparameters as {@link Hyperparameters#toPyTorch()} gives them, its
   * L1 strength, the rule's per-group numbers by key (Schedule-Free's {@code lr_max}, …; all or
   * none), and how many parameters it has.
   */
  public record Group(
      Map<String, Object> hyperparameters, double l1, Map<String, Double> scalars, int size) {
    public Group {
      hyperparameters = ordered(hyperparameters);
      scalars = ordered(scalars);
    }
  }

  /**
   * One parameter: its length in floats and the shape it was registered with (row-major), its value
   * ({@code null} when absent), the buffers the rule has allocated for it by state key (float32,
   * native order, {@code count} each), the steps it has taken, and the rule's per-parameter numbers
   * by key (all or none). A loader reads neither the shape nor anything but the count from it: a
   * state of any shape with as many elements fits.
   */
  public record ParameterState(
      long count,
      long[] shape,
      MemorySegment value,
      Map<String, MemorySegment> buffers,
      long step,
      Map<String, Double> scalars) {
    public ParameterState {
      shape = shape.clone();
      buffers = ordered(buffers);
      scalars = ordered(scalars);
    }

    /**
     * Whether the rule has anything for it: PyTorch's state has no entry for a parameter without.
     */
    public boolean hasState() {
      return step > 0 || !buffers.isEmpty() || !scalars.isEmpty();
    }
  }

  /** An unmodifiable copy in the same order: keys are written in it. */
  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  private final String optimizer;
  private final List<String> stateKeys;
  private final List<String> scalarKeys;
  private final List<String> groupScalarKeys;
  private final boolean keepsStep;
  private final long stepCount;
  private final List<Group> groups;
  private final List<ParameterState> parameters;

  private StateDict(Optimizer<?> o, List<Group> groups, List<ParameterState> parameters) {
    this.optimizer = o.pytorchName();
    this.stateKeys = o.stateKeys();
    this.scalarKeys = o.scalarKeys();
    this.groupScalarKeys = o.groupScalarKeys();
    this.keepsStep = o.pytorchKeepsStep();
    this.stepCount = o.stepCount();
    this.groups = List.copyOf(groups);
    this.parameters = List.copyOf(parameters);
  }

  /**
   * The state of {@code o} now, as read-only views of its memory: save them before the next step.
   *
   * @throws IllegalStateException as {@link Optimizer#step()} does
   * @throws WrongThreadException as {@link Optimizer#step()} does
   */
  public static StateDict of(Optimizer<?> o) {
    o.checkOpen();
    o.checkParametersReachable();
    List<Group> groups = new ArrayList<>();
    List<ParameterState> parameters = new ArrayList<>();
    List<String> keys = o.stateKeys();
    List<String> scalarKeys = o.scalarKeys();
    List<String> groupScalarKeys = o.groupScalarKeys();
    for (ParamGroup<?> g : o.groups()) {
      Map<String, Double> groupScalars = new LinkedHashMap<>();
      for (int k = 0; k < groupScalarKeys.size(); k++) {
        groupScalars.put(groupScalarKeys.get(k), g.scalars[k]);
      }
      groups.add(new Group(g.hyperparameters().toPyTorch(), g.l1(), groupScalars, g.size()));
      for (Parameter p : g.parameters()) {
        Map<String, MemorySegment> buffers = new LinkedHashMap<>();
        for (int k = 0; k < keys.size(); k++) {
          if (p.isAllocated(k)) {
            buffers.put(keys.get(k), p.state(k).asReadOnly());
          }
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        if (p.step > 0 || !buffers.isEmpty()) {
          for (int k = 0; k < scalarKeys.size(); k++) {
            scalars.put(scalarKeys.get(k), p.scalars[k]);
          }
        }
        parameters.add(
            new ParameterState(p.count, p.shape, p.value.asReadOnly(), buffers, p.step, scalars));
      }
    }
    return new StateDict(o, groups, parameters);
  }

  /** The {@code torch.optim} class: {@link Optimizer#pytorchName()}. */
  public String optimizer() {
    return optimizer;
  }

  /** The rule's buffer keys, in slot order ({@code exp_avg}, …). */
  public List<String> stateKeys() {
    return stateKeys;
  }

  /** The rule's per-parameter number keys (ASGD's {@code eta}, {@code mu}); usually none. */
  public List<String> scalarKeys() {
    return scalarKeys;
  }

  /** The rule's per-group number keys, which PyTorch's param_groups hold beside hyperparameters. */
  public List<String> groupScalarKeys() {
    return groupScalarKeys;
  }

  /** Whether PyTorch keeps a {@code step} entry in this rule's per-parameter state. */
  public boolean keepsStep() {
    return keepsStep;
  }

  /** {@link Optimizer#stepCount()}. */
  public long stepCount() {
    return stepCount;
  }

  public List<Group> groups() {
    return groups;
  }

  /** Every parameter, numbered across the groups in order. */
  public List<ParameterState> parameters() {
    return parameters;
  }

  /**
   * Checks a state read from elsewhere against {@code o} and returns what puts it in place: the
   * groups' hyperparameters (read by the rule's {@code fromPyTorch}), L1 strengths and numbers (a
   * group without them, none of whose parameters has state, gets the rule's first ones), every
   * parameter's value (where given), buffers, step and numbers, and the step count. A buffer the
   * state lacks is unallocated, so the next step starts it afresh. The returned action copies from
   * the segments given here, which must stay readable until it has run; it changes everything or,
   * if it throws (out of memory, or a parameter's arena closed meanwhile), nothing.
   *
   * @param everyBuffer whether a parameter with state must have every buffer the rule allocates for
   *     its group's hyperparameters: for a state whose completeness nothing else vouches for
   * @throws IllegalArgumentException naming what does not fit: another rule, other group sizes or
   *     lengths, an unknown key, a refused hyperparameter, a missing buffer; nothing is changed
   * @throws IllegalStateException as {@link Optimizer#step()} does; nothing is changed
   */
  public static Runnable loader(
      Optimizer<?> o,
      long stepCount,
      List<Group> groups,
      List<ParameterState> parameters,
      boolean everyBuffer) {
    return typedLoader(o, stepCount, groups, parameters, everyBuffer);
  }

  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> Runnable typedLoader(
      Optimizer<?> untyped,
      long stepCount,
      List<Group> groups,
      List<ParameterState> parameters,
      boolean everyBuffer) {
    Optimizer<H> o = (Optimizer<H>) untyped;
    o.checkOpen();
    o.checkParametersReachable();
    Args.nonNegative("step count", stepCount);
    List<ParamGroup<H>> mine = o.groups();
    if (groups.size() != mine.size()) {
      throw new IllegalArgumentException(
          "the state has "
              + groups.size()
              + " parameter groups, the "
              + o.pytorchName()
              + " optimizer "
              + mine.size());
    }
    int total = mine.stream().mapToInt(ParamGroup::size).sum();
    if (parameters.size() != total) {
      throw new IllegalArgumentException(
          "the state has "
              + parameters.size()
              + " parameters, the "
              + o.pytorchName()
              + " optimizer "
              + total);
    }
    List<String> keys = o.stateKeys();
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
      H h = hyperparameters(o, g, group.hyperparameters());
      Args.nonNegative("l1 of group " + g, group.l1());
      double[] groupScalars =
          groupScalars(o, g, h, group, parameters.subList(index, index + group.size()));
      List<OptimizerSnapshot.ParameterCopy> parameterCopies = new ArrayList<>();
      for (Parameter p : mine.get(g).parameters()) {
        ParameterState s = parameters.get(index);
        check(o, h, index, p, s, everyBuffer);
        MemorySegment[] state = new MemorySegment[keys.size()];
        for (int k = 0; k < state.length; k++) {
          state[k] = s.buffers().get(keys.get(k));
        }
        double[] scalars = new double[o.scalarSlots()];
        for (int k = 0; k < scalars.length && !s.scalars().isEmpty(); k++) {
          scalars[k] = s.scalars().get(o.scalarKeys().get(k));
        }
        parameterCopies.add(
            new OptimizerSnapshot.ParameterCopy(s.value(), state, scalars, s.step()));
        index++;
      }
      copies.add(new OptimizerSnapshot.GroupCopy<>(h, group.l1(), groupScalars, parameterCopies));
    }
    return () -> {
      try (OptimizerSnapshot<H> snapshot = OptimizerSnapshot.over(o, copies, stepCount)) {
        o.restore(snapshot);
      }
    };
  }

  /** Group {@code g}'s numbers in the rule's order, or the rule's first ones where it has none. */
  private static <H extends Hyperparameters<H>> double[] groupScalars(
      Optimizer<H> o, int g, H h, Group group, List<ParameterState> parameters) {
    List<String> keys = o.groupScalarKeys();
    if (group.scalars().isEmpty()) {
      if (!keys.isEmpty() && parameters.stream().anyMatch(ParameterState::hasState)) {
        throw new IllegalArgumentException(
            "group "
                + g
                + " has parameters with state but not the "
                + o.pytorchName()
                + " group's numbers "
                + keys);
      }
      return o.newGroupScalars(h);
    }
    if (!group.scalars().keySet().equals(new java.util.HashSet<>(keys))) {
      throw new IllegalArgumentException(
          "group "
              + g
              + " has the numbers "
              + group.scalars().keySet()
              + "; "
              + o.pytorchName()
              + " keeps "
              + keys);
    }
    double[] values = new double[keys.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = group.scalars().get(keys.get(k));
    }
    return values;
  }

  /**
   * The rule's hyperparameters from PyTorch's names, through the rule's own {@code fromPyTorch}.
   */
  private static <H extends Hyperparameters<H>> H hyperparameters(
      Optimizer<H> o, int g, Map<String, Object> pytorch) {
    Object h;
    try (Optimizer<?> reader = PyTorchOptimizers.create(o.pytorchName(), pytorch, o.kernels)) {
      h = reader.group(0).hyperparameters();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("group " + g + ": " + e.getMessage(), e);
    }
    Class<?> type = o.group(g).hyperparameters().getClass();
    if (!type.isInstance(h)) {
      throw new IllegalArgumentException(
          "group "
              + g
              + ": "
              + o.pytorchName()
              + " reads "
              + h.getClass().getSimpleName()
              + ", not "
              + type.getSimpleName());
    }
    @SuppressWarnings("unchecked")
    H typed = (H) h;
    return typed;
  }

  private static void check(
      Optimizer<?> o,
      Hyperparameters<?> h,
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
    long bytes = p.count * Float.BYTES;
    if (s.value() != null && s.value().byteSize() != bytes) {
      throw new IllegalArgumentException(
          name + "'s value has " + s.value().byteSize() + " bytes, not " + bytes);
    }
    Args.nonNegative(name + "'s step", s.step());
    for (Map.Entry<String, MemorySegment> e : s.buffers().entrySet()) {
      if (!o.stateKeys().contains(e.getKey())) {
        throw new IllegalArgumentException(
            name
                + " has a buffer "
                + e.getKey()
                + ", which "
                + o.pytorchName()
                + " does not keep; its state keys are "
                + o.stateKeys());
      }
      if (e.getValue().byteSize() != bytes) {
        throw new IllegalArgumentException(
            name
                + "'s "
                + e.getKey()
                + " has "
                + e.getValue().byteSize() / Float.BYTES
                + " elements, not "
                + p.count);
      }
    }
    if (!s.scalars().isEmpty()
        && !s.scalars().keySet().equals(new java.util.HashSet<>(o.scalarKeys()))) {
      throw new IllegalArgumentException(
          name
              + " has the numbers "
              + s.scalars().keySet()
              + "; "
              + o.pytorchName()
              + " keeps "
              + o.scalarKeys());
    }
    if (everyBuffer && s.hasState()) {
      if (s.scalars().isEmpty() && !o.scalarKeys().isEmpty()) {
        throw new IllegalArgumentException(name + " lacks " + o.scalarKeys());
      }
      for (String missing : buffersFor(o, h, s.step())) {
        if (!s.buffers().containsKey(missing)) {
          throw new IllegalArgumentException(
              name
                  + " has state but no "
                  + missing
                  + ", which "
                  + o.pytorchName()
                  + " keeps with these hyperparameters");
        }
      }
    }
  }

  /**
   * The buffers the rule allocates for {@code h}: asked of the rule itself, on a parameter of no
   * elements, so nothing is allocated for real.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<String> buffersFor(Optimizer o, Hyperparameters<?> h, long step) {
    Parameter probe =
        new Parameter(
            0,
            MemorySegment.NULL,
            MemorySegment.NULL,
            new long[] {0},
            o.stateSlots(),
            o.scalarSlots(),
            null);
    probe.step = step;
    try (Arena arena = Arena.ofConfined()) {
      o.allocateState(h, probe, new StateMemory(arena));
    }
    List<String> keys = o.stateKeys();
    List<String> out = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      if (probe.isAllocated(k)) {
        out.add(keys.get(k));
      }
    }
    return out;
  }
}
