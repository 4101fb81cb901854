package dev.stride.checkpoint;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.stride.checkpoint.SafeTensors.DType;
import dev.stride.checkpoint.SafeTensors.Entry;
import dev.stride.checkpoint.SafeTensors.Header;
import dev.stride.checkpoint.SafeTensors.Output;
import dev.stride.optim.Bf16Rounding;
import dev.stride.optim.StateDict;
import dev.stride.optim.StatePrecision;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a run's state is named in a checkpoint file: PyTorch's {@code optimizer.state_dict()} layout
 * ({@code param.I}, {@code state.I.KEY}, {@code param_groups}) and Stride's own metadata, and each
 * part's tensors and state (see {@link Checkpoint} for the names). Writing turns a {@link
 * StateDict} and the parts into tensors and metadata; reading checks a file's entries against an
 * optimizer's state and the parts, all of them, and returns the state the file holds and what loads
 * the parts.
 */
final class StateDictLayout {
  static final String STRIDE = "stride";
  static final String PART = "stride.part.";

  /** Stride's metadata keys for each group's state precision and bfloat16 rounding. */
  static final String STATE_PRECISION = "state_precision";

  static final String BF16_ROUNDING = "bf16_rounding";

  /** The suffixes of a quantized buffer's tensors: torchao's inner tensors' names. */
  static final String CODES = ".codes";

  static final String SCALE = ".scale";
  static final String QMAP = ".qmap";

  /** A shard's file: which rank's of how many, each parameter's part and each tensor's shape. */
  static final String SHARD = "stride.shard";

  /** F32 counts every integer up to here exactly. */
  private static final long F32_EXACT = 1L << 24;

  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,9}");

  private final Map<String, CheckpointPart> parts;
  private final boolean values;

  /**
   * A file's state as read: the optimizer's, checked against its own but not loaded, and the parts'
   * loaders.
   */
  record Read(StateDict state, List<Runnable> parts) {}

  /**
   * @param parts what else the run carries, by name
   * @param values whether the parameters' values are written and read ({@code param.I})
   */
  StateDictLayout(Map<String, CheckpointPart> parts, boolean values) {
    this.parts = parts;
    this.values = values;
  }

  /** The tensors of {@code state} and the parts, named as PyTorch names them. */
  List<Output> tensors(StateDict state, Arena arena) {
    List<Output> tensors = new ArrayList<>();
    List<StateDict.ParameterState> parameters = state.parameters();
    boolean shard = state.sharding() != null;
    for (int i = 0; i < parameters.size(); i++) {
      StateDict.ParameterState p = parameters.get(i);
      if (shard && p.count() == 0) {
        continue; // the tensor lies outside the shard
      }
      // a shard's part of a tensor is a run of its elements: 1-D, its place in SHARD
      long[] shape = shard ? new long[] {p.count()} : p.shape();
      if (values) {
        tensors.add(new Output("param." + i, p.bf16() ? DType.BF16 : DType.F32, shape, p.value()));
      }
      if (p.master() != null) {
        tensors.add(new Output("param." + i + ".master", DType.F32, shape, p.master()));
      }
      String prefix = "state." + i + ".";
      for (Map.Entry<String, MemorySegment> b : p.buffers().entrySet()) {
        bufferTensors(state, i, shape, prefix + b.getKey(), b.getValue(), arena, tensors);
      }
      if (state.rule().keepsStep() && p.hasState()) {
        tensors.add(
            p.step() <= F32_EXACT
                ? new Output(
                    prefix + "step",
                    DType.F32,
                    new long[] {1},
                    arena.allocateFrom(JAVA_FLOAT, p.step()))
                : new Output(
                    prefix + "step",
                    DType.F64,
                    new long[] {1},
                    arena.allocateFrom(JAVA_DOUBLE, p.step())));
      }
      p.numbers()
          .forEach(
              (key, v) ->
                  tensors.add(
                      new Output(
                          prefix + key,
                          DType.F64,
                          new long[0],
                          arena.allocateFrom(JAVA_DOUBLE, v))));
    }
    parts.forEach(
        (name, part) ->
            part.tensors()
                .forEach(
                    (key, t) -> {
                      if (t.byteSize() % Float.BYTES != 0) {
                        throw new IllegalArgumentException(
                            "part " + name + "'s tensor " + key + " is not whole floats");
                      }
                      tensors.add(
                          new Output(
                              name + "." + key,
                              DType.F32,
                              new long[] {t.byteSize() / Float.BYTES},
                              t));
                    }));
    return tensors;
  }

  /**
   * A buffer's tensors under {@code name}: its values ({@code name}, F32 or BF16, of {@code shape},
   * the parameter's or a shard's part's), or its codes ({@code name.codes}: U8 of the parameter's
   * shape, U8 of half as many bytes for 4-bit codes, F8_E4M3 for float8), block scales ({@code
   * name.scale}, F32) and the map from codes to values ({@code name.qmap}, F32; float8 codes are
   * their own values) as torchao's {@code OptimState8bit} and bitsandbytes' {@code qmap} keep them.
   */
  private static void bufferTensors(
      StateDict state,
      int i,
      long[] shape,
      String name,
      MemorySegment values,
      Arena arena,
      List<Output> tensors) {
    StateDict.ParameterState p = state.parameters().get(i);
    String key = name.substring(name.lastIndexOf('.') + 1);
    StateDict.Encoding encoding = state.encoding(i, key);
    switch (encoding) {
      case F32 -> tensors.add(new Output(name, DType.F32, shape, values));
      case BF16 -> tensors.add(new Output(name, DType.BF16, shape, values));
      default -> {
        boolean fourBit = encoding == StateDict.Encoding.CODES_4BIT;
        tensors.add(
            new Output(
                name + CODES,
                encoding == StateDict.Encoding.FLOAT8_E4M3 ? DType.F8_E4M3 : DType.U8,
                fourBit ? new long[] {values.byteSize()} : shape,
                values));
        MemorySegment scales = p.scales().get(key);
        tensors.add(
            new Output(
                name + SCALE, DType.F32, new long[] {scales.byteSize() / Float.BYTES}, scales));
        float[] map = state.codeMap(i, key);
        if (map != null) {
          tensors.add(
              new Output(
                  name + QMAP,
                  DType.F32,
                  new long[] {map.length},
                  arena.allocateFrom(JAVA_FLOAT, map)));
        }
      }
    }
  }

  /** The metadata of {@code state} and the parts: PyTorch's keys, then Stride's. */
  Map<String, String> metadata(StateDict state) {
    List<Object> groups = new ArrayList<>();
    List<Object> l1 = new ArrayList<>();
    int index = 0;
    for (StateDict.Group g : state.groups()) {
      Map<String, Object> group = new LinkedHashMap<>(g.hyperparameters());
      group.putAll(g.numbers()); // PyTorch's param_groups hold a rule's group numbers beside its
      // hyperparameters
      List<Object> params = new ArrayList<>();
      for (int k = 0; k < g.size(); k++) {
        params.add(index++);
      }
      group.put("params", params);
      groups.add(group);
      l1.add(g.l1());
    }
    Map<String, Object> stride = new LinkedHashMap<>();
    stride.put("version", 1);
    stride.put("step_count", state.stepCount());
    stride.put("l1", l1);
    if (!state.rule().keepsStep()) {
      stride.put("steps", state.parameters().stream().map(p -> (Object) p.step()).toList());
    }
    boolean plain =
        state.groups().stream()
            .allMatch(
                g ->
                    g.statePrecision().equals(StatePrecision.FP32)
                        && g.bf16Rounding() == Bf16Rounding.NEAREST);
    if (!plain) { // a float32 run's file stays as it was
      stride.put(
          STATE_PRECISION,
          state.groups().stream().map(g -> precision(g.statePrecision())).toList());
      stride.put(
          BF16_ROUNDING,
          state.groups().stream().map(g -> (Object) g.bf16Rounding().name()).toList());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", Checkpoint.FORMAT);
    metadata.put("optimizer", state.rule().name());
    metadata.put("param_groups", Json.write(groups));
    metadata.put("source", "Stride");
    metadata.put(STRIDE, Json.write(stride));
    if (state.sharding() != null) {
      metadata.put(SHARD, Json.write(shard(state)));
    }
    parts.forEach((name, part) -> metadata.put(PART + name, Json.write(part.state())));
    return metadata;
  }

  /** A precision as the metadata holds it: {@code {"format": …, "block_size": …, …}}. */
  private static Object precision(StatePrecision p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", p.format().name());
    if (p.format().quantized()) {
      m.put("block_size", p.blockSize());
      m.put("min_quantized_size", p.minQuantizedSize());
    }
    return m;
  }

  /** {@link #precision(StatePrecision)} read back. */
  private static StatePrecision precision(Object json, int g) throws CheckpointException {
    String what = STRIDE + "'s " + STATE_PRECISION + "[" + g + "]";
    Map<String, Object> m = Json.object(json, what);
    try {
      StatePrecision.Format format = StatePrecision.Format.valueOf(String.valueOf(m.get("format")));
      if (!format.quantized()) {
        return format == StatePrecision.Format.BF16 ? StatePrecision.BF16 : StatePrecision.FP32;
      }
      if (!(m.get("block_size") instanceof Long block)
          || !(m.get("min_quantized_size") instanceof Long min)) {
        throw new CheckpointException(what + " needs block_size and min_quantized_size, got " + m);
      }
      return new StatePrecision(format, Math.toIntExact(block), min);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new CheckpointException(what + " is no state precision: " + m, e);
    }
  }

  /**
   * {@link #SHARD}'s value: {@code rank}, {@code ranks}, {@code parts} (per parameter with elements
   * in the shard, {@code [I, offset, count]}) and {@code shapes} (every parameter's tensor's).
   */
  private static Map<String, Object> shard(StateDict state) {
    List<Object> partList = new ArrayList<>();
    List<Object> shapes = new ArrayList<>();
    List<StateDict.ParameterState> parameters = state.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      StateDict.ParameterState p = parameters.get(i);
      if (p.count() > 0) {
        partList.add(List.of(i, p.offset(), p.count()));
      }
      shapes.add(Arrays.stream(p.shape()).boxed().toList());
    }
    Map<String, Object> shard = new LinkedHashMap<>();
    shard.put("rank", state.sharding().rank());
    shard.put("ranks", state.sharding().ranks());
    shard.put("parts", partList);
    shard.put("shapes", shapes);
    return shard;
  }

  /**
   * Checks the entries of a file against {@code target}, the optimizer's state now, and the parts.
   *
   * @throws CheckpointException saying what does not fit
   */
  Read read(Header header, MemorySegment data, StateDict target) throws CheckpointException {
    return new Reader(header, data, target).read();
  }

  /** Reads one checked file's entries against the optimizer's state and the parts. */
  private final class Reader {
    private final Header header;
    private final MemorySegment data;
    private final StateDict target;

    /** A shard's file: per parameter, the offset and count of its part (0, 0 for none); or null. */
    private long[][] fileParts;

    Reader(Header header, MemorySegment data, StateDict target) {
      this.header = header;
      this.data = data;
      this.target = target;
    }

    Read read() throws CheckpointException {
      Map<String, String> meta = header.metadata();
      String format = meta.get("format");
      if (format != null && !format.equals(Checkpoint.FORMAT)) {
        throw new CheckpointException(
            "its format is \"" + format + "\", not \"" + Checkpoint.FORMAT + "\"");
      }
      String rule = required(meta, "optimizer");
      if (!rule.equals(target.rule().name())) {
        throw new CheckpointException(
            "it holds the state of "
                + rule
                + ", not of "
                + target.rule().name()
                + " (another rule's state)");
      }
      Map<String, Object> stride =
          meta.containsKey(STRIDE)
              ? Json.object(Json.parse(meta.get(STRIDE), STRIDE), STRIDE)
              : Map.of();
      List<Map<String, Object>> groups = groups(required(meta, "param_groups"));
      int total = target.parameters().size();
      fileParts = fileParts(meta, total);
      int inGroups = groups.stream().mapToInt(g -> ((List<?>) g.get("params")).size()).sum();
      if (inGroups != total) {
        throw new CheckpointException(
            "its param_groups hold " + inGroups + " parameters, the optimizer " + total);
      }
      precisions = precisions(stride, groups.size());
      roundings = roundings(stride, groups.size());
      Parameters parameters = new Parameters(total);
      Map<String, Map<String, MemorySegment>> partTensors = new HashMap<>();
      for (Entry e : header.entries()) {
        read(e, parameters, partTensors);
      }
      List<Long> steps = stride.containsKey("steps") ? counts(stride, "steps", total) : null;
      List<Double> l1 = stride.containsKey("l1") ? numbers(stride, "l1", groups.size()) : null;
      boolean anyValue = Arrays.stream(parameters.valueTensors).anyMatch(Objects::nonNull);
      long stepCount = 0;
      List<StateDict.ParameterState> states = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        StateDict.ParameterState mine = target.parameters().get(i);
        if (values && anyValue && parameters.valueTensors[i] == null && mine.count() > 0) {
          throw new CheckpointException(
              "param." + i + " is missing, though other parameters' values" + " are there");
        }
        boolean hasState =
            !parameters.buffers.get(i).isEmpty() || !parameters.numbers.get(i).isEmpty();
        if (target.rule().keepsStep() && hasState && parameters.steps[i] == null) {
          throw new CheckpointException(
              "state." + i + ".step is missing, though parameter " + i + " has state");
        }
        long step =
            target.rule().keepsStep()
                ? (parameters.steps[i] == null ? 0 : parameters.steps[i])
                : (steps == null ? 0 : steps.get(i));
        for (String key : parameters.scales.get(i).keySet()) {
          if (!parameters.buffers.get(i).containsKey(key)) {
            throw new CheckpointException(
                "state." + i + "." + key + SCALE + " has no " + "state." + i + "." + key + CODES);
          }
        }
        for (String key : parameters.buffers.get(i).keySet()) {
          if (isCodes(target.encoding(i, key)) && !parameters.scales.get(i).containsKey(key)) {
            throw new CheckpointException(
                "state." + i + "." + key + CODES + " has no " + "state." + i + "." + key + SCALE);
          }
        }
        states.add(
            new StateDict.ParameterState(
                fileParts == null ? elements(mine.shape()) : fileParts[i][1],
                mine.shape(),
                values ? parameters.valueTensors[i] : null,
                mine.bf16(),
                parameters.buffers.get(i),
                parameters.scales.get(i),
                parameters.masters[i],
                step,
                parameters.numbers.get(i),
                fileParts == null ? 0 : fileParts[i][0]));
        stepCount = Math.max(stepCount, step);
      }
      if (stride.containsKey("step_count")) {
        stepCount = count(stride, "step_count");
      }
      List<StateDict.Group> stateGroups = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        Map<String, Object> hyper = new LinkedHashMap<>(groups.get(g));
        int size = ((List<?>) hyper.remove("params")).size();
        Map<String, Double> numbers = new LinkedHashMap<>();
        for (String key : target.rule().groupNumbers()) {
          if (hyper.containsKey(key)) {
            if (!(hyper.remove(key) instanceof Number n)) {
              throw new CheckpointException(
                  "param_groups[" + g + "]'s " + key + " must be a number");
            }
            numbers.put(key, n.doubleValue());
          }
        }
        stateGroups.add(
            new StateDict.Group(
                hyper,
                l1 == null ? 0 : l1.get(g),
                numbers,
                size,
                precisions.get(g),
                roundings.get(g)));
      }
      StateDict read = new StateDict(target.rule(), stepCount, stateGroups, states);
      List<Runnable> loaders = new ArrayList<>();
      for (Map.Entry<String, CheckpointPart> part : parts.entrySet()) {
        String name = part.getKey();
        String state = meta.get(PART + name);
        if (state == null) {
          throw new CheckpointException("it has no part " + name + " (" + PART + name + ")");
        }
        try {
          loaders.add(
              part.getValue()
                  .restorer(
                      Json.object(Json.parse(state, PART + name), PART + name),
                      partTensors.getOrDefault(name, Map.of())));
        } catch (IllegalArgumentException e) {
          throw new CheckpointException("part " + name + ": " + e.getMessage(), e);
        }
      }
      return new Read(read, loaders);
    }

    private void read(
        Entry e, Parameters parameters, Map<String, Map<String, MemorySegment>> partTensors)
        throws CheckpointException {
      String[] name = e.name().split("\\.", -1);
      MemorySegment bytes = data.asSlice(e.begin(), e.end() - e.begin());
      int total = target.parameters().size();
      int index =
          name.length >= 2 && INDEX.matcher(name[1]).matches()
              ? (int) Math.min(Long.parseLong(name[1]), Integer.MAX_VALUE)
              : -1;
      if (name[0].equals("param") && name.length == 2 && index >= 0 && index < total) {
        StateDict.ParameterState mine = target.parameters().get(index);
        tensor(e, mine.bf16() ? DType.BF16 : DType.F32, fileCount(index));
        parameters.valueTensors[index] = bytes;
      } else if (name[0].equals("param")
          && name.length == 3
          && name[2].equals("master")
          && index >= 0
          && index < total) {
        tensor(e, DType.F32, target.parameters().get(index).count());
        parameters.masters[index] = bytes;
      } else if (name[0].equals("state")
          && name.length == 4
          && index >= 0
          && index < total
          && target.rule().stateKeys().contains(name[2])) {
        codedBuffer(e, index, name[2], "." + name[3], bytes, parameters);
      } else if (name[0].equals("state") && name.length == 3 && index >= 0 && index < total) {
        String key = name[2];
        if (target.rule().stateKeys().contains(key)) {
          StateDict.Encoding encoding = target.encoding(index, key);
          if (isCodes(encoding)) {
            throw new CheckpointException(
                e.describe()
                    + " is plain state, but group "
                    + groupOf(index)
                    + " keeps "
                    + key
                    + " as "
                    + encoding
                    + " ("
                    + CODES
                    + ", "
                    + SCALE
                    + ")");
          }
          tensor(e, encoding == StateDict.Encoding.BF16 ? DType.BF16 : DType.F32, fileCount(index));
          parameters.buffers.get(index).put(key, bytes);
        } else if (key.equals("step") && target.rule().keepsStep()) {
          double step = number(e, bytes);
          if (!(step >= 0 && step == Math.rint(step) && step < 0x1p62)) {
            throw new CheckpointException(e.name() + " is " + step + ", not a step count");
          }
          parameters.steps[index] = (long) step;
        } else if (target.rule().parameterNumbers().contains(key)) {
          parameters.numbers.get(index).put(key, number(e, bytes));
        } else {
          throw new CheckpointException(
              e.name()
                  + " is no state of "
                  + target.rule().name()
                  + ", whose state keys are "
                  + keys()
                  + " (another rule's state?)");
        }
      } else if (name.length == 2 && header.metadata().containsKey(PART + name[0])) {
        if (e.dtype() != DType.F32) {
          throw new CheckpointException("part tensor " + e.describe() + " must be F32");
        }
        partTensors.computeIfAbsent(name[0], k -> new HashMap<>()).put(name[1], bytes);
      } else {
        throw new CheckpointException(
            "tensor "
                + e.name()
                + " is none of this optimizer's "
                + total
                + " parameters' (param.I, state.I."
                + keys()
                + ") nor a part's");
      }
    }

    private List<StatePrecision> precisions;
    private List<Bf16Rounding> roundings;

    /**
     * Each group's precision, as the file says or float32, refused where it is not the optimizer's:
     * a state's codes load only into their own precision.
     */
    private List<StatePrecision> precisions(Map<String, Object> stride, int size)
        throws CheckpointException {
      List<StatePrecision> out = new ArrayList<>();
      Object list = stride.get(STATE_PRECISION);
      if (list != null && !(list instanceof List<?> l && l.size() == size)) {
        throw new CheckpointException(
            STRIDE + "'s " + STATE_PRECISION + " must be " + size + " precisions, got " + list);
      }
      for (int g = 0; g < size; g++) {
        StatePrecision p =
            list == null ? StatePrecision.FP32 : precision(((List<?>) list).get(g), g);
        StatePrecision mine = target.groups().get(g).statePrecision();
        if (!p.equals(mine)) {
          throw new CheckpointException(
              "its group "
                  + g
                  + " keeps "
                  + p
                  + " state, the optimizer's "
                  + mine
                  + ": a state loads only into an optimizer of its own precision");
        }
        out.add(p);
      }
      return out;
    }

    /** Each group's rounding of bfloat16 parameters, as the file says or to nearest. */
    private List<Bf16Rounding> roundings(Map<String, Object> stride, int size)
        throws CheckpointException {
      Object list = stride.get(BF16_ROUNDING);
      List<Bf16Rounding> out = new ArrayList<>();
      for (int g = 0; g < size; g++) {
        Bf16Rounding r = Bf16Rounding.NEAREST;
        if (list != null) {
          try {
            r = Bf16Rounding.valueOf(String.valueOf(((List<?>) list).get(g)));
          } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
            throw new CheckpointException(
                STRIDE + "'s " + BF16_ROUNDING + " must be " + size + " roundings, got " + list, e);
          }
        }
        out.add(r);
      }
      return out;
    }

    /** The group holding parameter {@code i}. */
    private int groupOf(int i) {
      int g = 0;
      for (int first = 0; i >= first + target.groups().get(g).size(); g++) {
        first += target.groups().get(g).size();
      }
      return g;
    }

    /** One tensor of a quantized buffer: its codes, its block scales or its map. */
    private void codedBuffer(
        Entry e, int i, String key, String suffix, MemorySegment bytes, Parameters parameters)
        throws CheckpointException {
      StateDict.Encoding encoding = target.encoding(i, key);
      if (!isCodes(encoding)) {
        throw new CheckpointException(
            e.describe()
                + " is a quantized buffer's, but group "
                + groupOf(i)
                + " keeps "
                + key
                + " of parameter "
                + i
                + " as "
                + encoding
                + " (state."
                + i
                + "."
                + key
                + ")");
      }
      long count = target.parameters().get(i).count();
      switch (suffix) {
        case CODES -> {
          if (encoding == StateDict.Encoding.FLOAT8_E4M3) {
            tensor(e, DType.F8_E4M3, count);
          } else {
            tensor(
                e, DType.U8, encoding == StateDict.Encoding.CODES_4BIT ? (count + 1) / 2 : count);
          }
          parameters.buffers.get(i).put(key, bytes);
        }
        case SCALE -> {
          if (e.dtype() != DType.F32) {
            throw new CheckpointException(e.describe() + " must be F32");
          }
          parameters.scales.get(i).put(key, bytes);
        }
        case QMAP -> {
          float[] map = target.codeMap(i, key);
          if (map == null) {
            throw new CheckpointException(e.describe() + ": float8 codes have no map");
          }
          tensor(e, DType.F32, map.length);
          for (int c = 0; c < map.length; c++) {
            float got = bytes.getAtIndex(JAVA_FLOAT_UNALIGNED, c);
            if (Float.floatToIntBits(got) != Float.floatToIntBits(map[c])) {
              throw new CheckpointException(
                  e.name()
                      + "["
                      + c
                      + "] is "
                      + got
                      + ", not "
                      + map[c]
                      + ": its codes stand for other values than the ones "
                      + target.groups().get(groupOf(i)).statePrecision()
                      + " reads them as");
            }
          }
        }
        default ->
            throw new CheckpointException(
                "tensor " + e.name() + " is none of " + CODES + ", " + SCALE + " or " + QMAP);
      }
    }

    /**
     * The elements the file holds of parameter {@code i}: its shard's part in a shard's file, else
     * the whole tensor (which a sharded optimizer takes its part of).
     */
    private long fileCount(int i) {
      return fileParts != null ? fileParts[i][1] : elements(target.parameters().get(i).shape());
    }

    /**
     * A shard's file's parts, checked to be this optimizer's shard's; null for a whole state.
     *
     * @throws CheckpointException if the file is another shard's, or a shard's where the optimizer
     *     is not sharded
     */
    private long[][] fileParts(Map<String, String> meta, int total) throws CheckpointException {
      String value = meta.get(SHARD);
      if (value == null) {
        return null;
      }
      Map<String, Object> shard = Json.object(Json.parse(value, SHARD), SHARD);
      long rank = count(shard, "rank");
      long ranks = count(shard, "ranks");
      StateDict.Sharding mine = target.sharding();
      if (mine == null || mine.rank() != rank || mine.ranks() != ranks) {
        throw new CheckpointException(
            "it holds shard "
                + rank
                + " of "
                + ranks
                + ", this optimizer "
                + (mine == null
                    ? "is not sharded"
                    : "steps shard " + mine.rank() + " of " + mine.ranks())
                + ": merge the shards' files (Checkpoint.merge) and load that");
      }
      long[][] parts = new long[total][2];
      if (!(shard.get("parts") instanceof List<?> list)) {
        throw new CheckpointException(SHARD + " has no parts list");
      }
      for (Object o : list) {
        if (!(o instanceof List<?> part)
            || part.size() != 3
            || !part.stream().allMatch(x -> x instanceof Long l && l >= 0)
            || (Long) part.get(0) >= total) {
          throw new CheckpointException(SHARD + "'s part " + o + " is not [index, offset, count]");
        }
        int i = (int) (long) (Long) part.get(0);
        parts[i][0] = (Long) part.get(1);
        parts[i][1] = (Long) part.get(2);
      }
      return parts;
    }

    private List<String> keys() {
      List<String> keys = new ArrayList<>(target.rule().stateKeys());
      if (target.rule().keepsStep()) {
        keys.add("step");
      }
      keys.addAll(target.rule().parameterNumbers());
      return keys;
    }

    /** A tensor of {@code count} elements of {@code dtype}, of any shape. */
    private void tensor(Entry e, DType dtype, long count) throws CheckpointException {
      if (e.dtype() != dtype || e.elements() != count) {
        throw new CheckpointException(
            e.describe()
                + " does not fit: the optimizer's parameter has "
                + count
                + " "
                + dtype
                + " elements");
      }
    }

    /** A one-element tensor's value. */
    private double number(Entry e, MemorySegment bytes) throws CheckpointException {
      if (e.elements() != 1) {
        throw new CheckpointException(e.describe() + " must hold one number");
      }
      return switch (e.dtype()) {
        case F32 -> bytes.get(JAVA_FLOAT_UNALIGNED, 0);
        case F64 -> bytes.get(JAVA_DOUBLE_UNALIGNED, 0);
        case I64 -> bytes.get(JAVA_LONG_UNALIGNED, 0);
        default -> throw new CheckpointException(e.describe() + " must be F32, F64 or I64");
      };
    }

    /** PyTorch's param_groups, whose params must number the parameters in order. */
    private List<Map<String, Object>> groups(String json) throws CheckpointException {
      if (!(Json.parse(json, "param_groups") instanceof List<?> list)) {
        throw new CheckpointException("param_groups must be a JSON list");
      }
      List<Map<String, Object>> groups = new ArrayList<>();
      long next = 0;
      for (int g = 0; g < list.size(); g++) {
        Map<String, Object> group = Json.object(list.get(g), "param_groups[" + g + "]");
        if (!(group.get("params") instanceof List<?> params)) {
          throw new CheckpointException("param_groups[" + g + "] has no params list");
        }
        for (Object p : params) {
          if (!(p instanceof Long l) || l != next) {
            throw new CheckpointException(
                "param_groups["
                    + g
                    + "]'s params are "
                    + params
                    + ": Stride numbers each group's parameters in order, after the previous"
                    + " group's");
          }
          next++;
        }
        groups.add(group);
      }
      return groups;
    }

    private static String required(Map<String, String> meta, String key)
        throws CheckpointException {
      String value = meta.get(key);
      if (value == null) {
        throw new CheckpointException(
            "its metadata has no " + key + ": not a torch.optim state_dict checkpoint");
      }
      return value;
    }

    private static long count(Map<String, Object> stride, String key) throws CheckpointException {
      if (!(stride.get(key) instanceof Long l) || l < 0) {
        throw new CheckpointException(
            "stride's " + key + " must be a count, got " + stride.get(key));
      }
      return l;
    }

    private static List<Long> counts(Map<String, Object> stride, String key, int size)
        throws CheckpointException {
      if (!(stride.get(key) instanceof List<?> list)
          || list.size() != size
          || !list.stream().allMatch(v -> v instanceof Long l && l >= 0)) {
        throw new CheckpointException(
            "stride's " + key + " must be " + size + " counts, got " + stride.get(key));
      }
      return list.stream().map(v -> (Long) v).toList();
    }

    private static List<Double> numbers(Map<String, Object> stride, String key, int size)
        throws CheckpointException {
      if (!(stride.get(key) instanceof List<?> list)
          || list.size() != size
          || !list.stream().allMatch(v -> v instanceof Number)) {
        throw new CheckpointException(
            "stride's " + key + " must be " + size + " numbers, got " + stride.get(key));
      }
      return list.stream().map(v -> ((Number) v).doubleValue()).toList();
    }
  }

  private static boolean isCodes(StateDict.Encoding encoding) {
    return encoding != StateDict.Encoding.F32 && encoding != StateDict.Encoding.BF16;
  }

  static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** What the file holds for each parameter, gathered entry by entry. */
  private static final class Parameters {
    final MemorySegment[] valueTensors;
    final MemorySegment[] masters;
    final List<Map<String, MemorySegment>> buffers = new ArrayList<>();
    final List<Map<String, MemorySegment>> scales = new ArrayList<>();

    /** Null where the file has no step for the parameter. */
    final Long[] steps;

    final List<Map<String, Double>> numbers = new ArrayList<>();

    Parameters(int total) {
      valueTensors = new MemorySegment[total];
      masters = new MemorySegment[total];
      steps = new Long[total];
      for (int i = 0; i < total; i++) {
        buffers.add(new LinkedHashMap<>());
        scales.add(new LinkedHashMap<>());
        numbers.add(new LinkedHashMap<>());
      }
    }
  }
}
