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
import dev.stride.optim.Optimizer;
import dev.stride.optim.StateDict;
import dev.stride.training.EarlyStopping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A training run on disk: an optimizer's state (and, by default, its parameters' values) with
 * whatever else drives the run ({@link CheckpointPart}s: a schedule's position, a plateau's or an
 * early stop's state, weight averages), in a safetensors file with PyTorch's {@code
 * optimizer.state_dict()} layout. A file PyTorch wrote loads into the Stride optimizer of the same
 * rule and groups; a file Stride wrote reads in Python with {@code json} and {@code numpy} alone.
 *
 * <pre>{@code
 * Checkpoint run = Checkpoint.of(adamw).with("schedule", CheckpointPart.of(scheduled));
 * run.save(Path.of("run.safetensors"));      // atomic: the previous file stays until the new one is on disk
 * ...
 * run.load(Path.of("run.safetensors"));      // into the same or a freshly built optimizer and schedule
 * }</pre>
 *
 * <p>The file: an 8-byte little-endian header length, a JSON header, then the raw little-endian
 * tensors. Tensors, numbered as PyTorch numbers parameters (across the groups, in order):
 *
 * <ul>
 *   <li>{@code param.I}: parameter I's values, F32 of shape {@code [n]} (left out with {@link
 *       #values(boolean) values(false)});
 *   <li>{@code state.I.KEY}: the rule's state under PyTorch's keys: each buffer ({@code exp_avg},
 *       {@code momentum_buffer}, …) F32 {@code [n]}; {@code step}, where PyTorch keeps one, F32 of
 *       shape {@code [1]} as torch 1.13's Adam does (F64 past 2<sup>24</sup> steps, which F32
 *       cannot count exactly); a per-parameter number (ASGD's {@code eta}) F64 of shape {@code []};
 *   <li>{@code NAME.KEY}: tensors of the part saved as NAME (a weight average's copy of parameter I
 *       is {@code NAME.I}).
 * </ul>
 *
 * <p>Metadata (strings; JSON where it says so): {@code format} = {@value #FORMAT}, {@code
 * optimizer} = the {@code torch.optim} class, {@code param_groups} = PyTorch's list (JSON: each
 * group's hyperparameters under PyTorch's names and {@code params}, its parameters' indices),
 * {@code source}; and Stride's own keys, which PyTorch files lack:
 *
 * <ul>
 *   <li>{@code stride} (JSON): {@code version} 1, {@code step_count} (the optimizer's), {@code l1}
 *       (each group's L1 strength), and {@code steps} (each parameter's step count) for rules whose
 *       PyTorch state has no {@code step};
 *   <li>{@code stride.part.NAME} (JSON): the state of the part saved as NAME;
 *   <li>{@code stride.crc32c} (JSON): each tensor's CRC32C as 8 hex digits; {@code
 *       stride.header_crc32c}: the CRC32C of the header bytes as written, with this value's 8
 *       digits read as {@code 00000000}.
 * </ul>
 *
 * <p>Loading checks the whole file before it changes anything, and then changes everything: the
 * header (length, JSON, each tensor's bytes against its dtype and shape, the tensors tiling the
 * data), the checksums where the file has them (PyTorch's have none), and that every entry fits the
 * optimizer and the parts: the same rule, the same group sizes and parameter lengths, only the
 * rule's state keys, nothing missing. A file without checksums must also hold every buffer the rule
 * keeps for a parameter with state. Any refusal is a {@link CheckpointException} that says what is
 * wrong, and leaves the optimizer and the parts as they were. The file must not change while it
 * loads.
 *
 * <p>The data is written with {@link FileChannel} from the state's own memory and read through a
 * mapped segment straight into it: no heap copy of the state. Save and load from the thread that
 * steps the optimizer, between steps. Little-endian machines only (the data is copied as bytes).
 */
public final class Checkpoint {
  /** The largest header a file may have, as the safetensors library's own limit. */
  public static final long MAX_HEADER_BYTES = 100_000_000;

  /** The {@code format} metadata value: PyTorch's state_dict layout, version 1. */
  public static final String FORMAT = "torch.optim state_dict/1";

  static final String STRIDE = "stride";
  static final String PART = "stride.part.";
  static final String CRCS = "stride.crc32c";
  static final String HEADER_CRC = "stride.header_crc32c";
  private static final byte[] HEADER_CRC_FIELD = SafeTensors.ascii("\"" + HEADER_CRC + "\":\"");
  private static final String NO_CRC = "00000000";

  /** F32 counts every integer up to here exactly. */
  private static final long F32_EXACT = 1L << 24;

  private static final Pattern PART_NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,9}");
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Optimizer<?> optimizer;
  private final Map<String, CheckpointPart> parts = new LinkedHashMap<>();
  private boolean values = true;

  private Checkpoint(Optimizer<?> optimizer) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
  }

  /** A checkpoint of {@code optimizer}'s state and its parameters' values, and no parts yet. */
  public static Checkpoint of(Optimizer<?> optimizer) {
    return new Checkpoint(optimizer);
  }

  /**
   * Saves and loads {@code part} too, under {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is not lower-case letters, digits and
   *     underscores starting with a letter, is {@code param} or {@code state}, or is taken
   */
  public Checkpoint with(String name, CheckpointPart part) {
    Objects.requireNonNull(part, "part");
    if (!PART_NAME.matcher(name).matches() || name.equals("param") || name.equals("state")) {
      throw new IllegalArgumentException(
          "a part's name must be lower-case letters, digits and _"
              + " starting with a letter, and not param or state; got \""
              + name
              + "\"");
    }
    if (parts.putIfAbsent(name, part) != null) {
      throw new IllegalArgumentException("a part is already saved as " + name);
    }
    return this;
  }

  /**
   * Whether {@link #save} writes the parameters' values ({@code param.I}) and {@link #load} puts
   * the file's back; {@code true} by default. Without, the values stay the caller's to keep.
   */
  public Checkpoint values(boolean values) {
    this.values = values;
    return this;
  }

  /**
   * Early stopping's best weights kept in {@code file}: saving writes this checkpoint there,
   * restoring loads it back, so they survive a resume. I/O errors surface as {@link
   * UncheckedIOException}s.
   */
  public EarlyStopping.BestWeights asBestWeights(Path file) {
    Objects.requireNonNull(file, "file");
    return new EarlyStopping.BestWeights() {
      @Override
      public void save() {
        try {
          Checkpoint.this.save(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void restore() {
        try {
          load(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /**
   * Writes the checkpoint to {@code file}: to a temporary file beside it, forced to disk, then
   * renamed over it, so that a crash leaves either the previous file or the new one, whole.
   *
   * @throws IOException if writing fails; {@code file} is then as it was
   * @throws IllegalStateException as {@link Optimizer#step()} does
   */
  public void save(Path file) throws IOException {
    SafeTensors.checkByteOrder();
    StateDict state = optimizer.stateDict();
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    try (Arena arena = Arena.ofConfined()) {
      List<Output> tensors = SafeTensors.inDataOrder(tensors(state, arena));
      Map<String, String> placeholders = new LinkedHashMap<>();
      tensors.forEach(t -> placeholders.put(t.name(), NO_CRC));
      Map<String, String> metadata = metadata(state);
      int headerLength = header(tensors, metadata, placeholders).length;
      if (headerLength > MAX_HEADER_BYTES) {
        throw new CheckpointException(
            "cannot save "
                + file
                + ": its header would have "
                + headerLength
                + " bytes, more than "
                + MAX_HEADER_BYTES);
      }
      // beside the file, so the rename stays on one file system; made as any new file is (not
      // createTempFile, whose owner-only permissions the checkpoint would keep)
      Path temporary =
          dir.resolve(
              "." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
      boolean moved = false;
      try {
        try (FileChannel channel =
            FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          Map<String, String> crcs =
              SafeTensors.writeData(channel, Long.BYTES + headerLength, tensors);
          byte[] header = header(tensors, metadata, crcs);
          if (header.length != headerLength) {
            throw new IllegalStateException("the header changed length with its checksums");
          }
          ByteBuffer start =
              ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
          start.putLong(header.length).put(header).flip();
          SafeTensors.writeFully(channel, start, 0);
          channel.force(true);
        }
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        moved = true;
        forceDirectory(dir);
      } finally {
        if (!moved) {
          Files.deleteIfExists(temporary);
        }
      }
    }
  }

  /** The header with the tensors' checksums {@code crcs} and its own CRC32C in place. */
  private static byte[] header(
      List<Output> tensors, Map<String, String> metadata, Map<String, String> crcs)
      throws CheckpointException {
    Map<String, String> complete = new LinkedHashMap<>(metadata);
    complete.put(CRCS, Json.write(crcs));
    complete.put(HEADER_CRC, NO_CRC);
    byte[] header = SafeTensors.header(tensors, complete);
    int at = headerCrcAt(header);
    byte[] crc =
        SafeTensors.ascii(SafeTensors.hex(SafeTensors.crc32c(MemorySegment.ofArray(header))));
    System.arraycopy(crc, 0, header, at, crc.length);
    return header;
  }

  /** Where the 8 digits of the header's own checksum are; -1 if it has none. */
  private static int headerCrcAt(byte[] header) throws CheckpointException {
    int found = -1;
    for (int i = 0; i + HEADER_CRC_FIELD.length + NO_CRC.length() <= header.length; i++) {
      if (Arrays.equals(
          header, i, i + HEADER_CRC_FIELD.length, HEADER_CRC_FIELD, 0, HEADER_CRC_FIELD.length)) {
        if (found >= 0) {
          throw new CheckpointException("the header names " + HEADER_CRC + " twice");
        }
        found = i + HEADER_CRC_FIELD.length;
      }
    }
    return found;
  }

  /** Makes the rename durable where the system allows a directory to be forced (not Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // the file itself is on disk; only the rename might not survive a crash
    }
  }

  private List<Output> tensors(StateDict state, Arena arena) {
    List<Output> tensors = new ArrayList<>();
    List<StateDict.ParameterState> parameters = state.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      StateDict.ParameterState p = parameters.get(i);
      long[] shape = p.shape();
      if (values) {
        tensors.add(new Output("param." + i, DType.F32, shape, p.value()));
      }
      String prefix = "state." + i + ".";
      p.buffers()
          .forEach(
              (key, buffer) -> tensors.add(new Output(prefix + key, DType.F32, shape, buffer)));
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

  private Map<String, String> metadata(StateDict state) {
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
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", FORMAT);
    metadata.put("optimizer", state.rule().name());
    metadata.put("param_groups", Json.write(groups));
    metadata.put("source", "Stride");
    metadata.put(STRIDE, Json.write(stride));
    parts.forEach((name, part) -> metadata.put(PART + name, Json.write(part.state())));
    return metadata;
  }

  /**
   * Puts the checkpoint in {@code file} into the optimizer and the parts, after checking all of it.
   *
   * @throws CheckpointException if the file is damaged or does not fit, saying what is wrong;
   *     nothing is changed then
   * @throws IOException if the file cannot be read; nothing is changed then
   * @throws IllegalStateException as {@link Optimizer#step()} does; nothing is changed then
   */
  public void load(Path file) throws IOException {
    SafeTensors.checkByteOrder();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        Arena arena = Arena.ofConfined()) {
      long size = channel.size();
      Header header = SafeTensors.readHeader(channel, size);
      MemorySegment data =
          channel.map(
              FileChannel.MapMode.READ_ONLY, header.dataStart(), size - header.dataStart(), arena);
      boolean checksummed = checkChecksums(header, data);
      Reader reader = new Reader(header, data);
      List<Runnable> parts = reader.read();
      // the parts are checked: the optimizer's state is checked and loaded, all or nothing, and
      // then the parts, which can no longer fail
      try {
        optimizer.loadStateDict(reader.state, !checksummed);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(e.getMessage(), e);
      }
      parts.forEach(Runnable::run);
    } catch (CheckpointException e) {
      throw new CheckpointException("cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  /** Checks the CRCs a Stride file carries; returns false for a file without (PyTorch's). */
  private static boolean checkChecksums(Header header, MemorySegment data)
      throws CheckpointException {
    String crcs = header.metadata().get(CRCS);
    int at = headerCrcAt(header.bytes());
    if (crcs == null && at < 0) {
      return false;
    }
    if (crcs == null || at < 0 || !header.metadata().containsKey(HEADER_CRC)) {
      throw new CheckpointException(
          "it has "
              + (crcs == null ? "no " + CRCS : "no " + HEADER_CRC)
              + " though it has the other");
    }
    byte[] zeroed = header.bytes().clone();
    System.arraycopy(SafeTensors.ascii(NO_CRC), 0, zeroed, at, NO_CRC.length());
    String recorded =
        new String(header.bytes(), at, NO_CRC.length(), java.nio.charset.StandardCharsets.UTF_8);
    String actual = SafeTensors.hex(SafeTensors.crc32c(MemorySegment.ofArray(zeroed)));
    if (!actual.equals(recorded)) {
      throw new CheckpointException(
          "the header's CRC32C is "
              + actual
              + ", not the "
              + recorded
              + " recorded: the header is damaged");
    }
    Map<String, Object> expected = Reader.object(Json.parse(crcs, CRCS), CRCS);
    Map<String, Entry> entries = new HashMap<>();
    header.entries().forEach(e -> entries.put(e.name(), e));
    for (String name : expected.keySet()) {
      if (!entries.containsKey(name)) {
        throw new CheckpointException("tensor " + name + " is missing: the checksums list it");
      }
    }
    for (Entry e : header.entries()) {
      Object crc = expected.get(e.name());
      if (crc == null) {
        throw new CheckpointException("tensor " + e.name() + " has no checksum in " + CRCS);
      }
      String got =
          SafeTensors.hex(SafeTensors.crc32c(data.asSlice(e.begin(), e.end() - e.begin())));
      if (!got.equals(crc)) {
        throw new CheckpointException(
            "tensor "
                + e.name()
                + "'s CRC32C is "
                + got
                + ", not the "
                + crc
                + " recorded: its data is damaged");
      }
    }
    return true;
  }

  /** Reads a checked file's entries into what loads them into the optimizer and the parts. */
  private final class Reader {
    private final Header header;
    private final MemorySegment data;
    private final StateDict target;

    Reader(Header header, MemorySegment data) {
      this.header = header;
      this.data = data;
      this.target = optimizer.stateDict();
    }

    /** The optimizer's state the file holds, once {@link #read} has checked it. */
    StateDict state;

    /**
     * Checks the file's entries against the optimizer's and reads them into {@link #state}; returns
     * what loads the parts, all checked.
     */
    List<Runnable> read() throws CheckpointException {
      Map<String, String> meta = header.metadata();
      String format = meta.get("format");
      if (format != null && !format.equals(FORMAT)) {
        throw new CheckpointException("its format is \"" + format + "\", not \"" + FORMAT + "\"");
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
              ? object(Json.parse(meta.get(STRIDE), STRIDE), STRIDE)
              : Map.of();
      List<Map<String, Object>> groups = groups(required(meta, "param_groups"));
      int total = target.parameters().size();
      int inGroups = groups.stream().mapToInt(g -> ((List<?>) g.get("params")).size()).sum();
      if (inGroups != total) {
        throw new CheckpointException(
            "its param_groups hold " + inGroups + " parameters, the optimizer " + total);
      }
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
        if (values && anyValue && parameters.valueTensors[i] == null) {
          throw new CheckpointException(
              "param." + i + " is missing, though other parameters' values" + " are there");
        }
        boolean hasState =
            !parameters.buffers.get(i).isEmpty() || !parameters.scalars.get(i).isEmpty();
        if (target.rule().keepsStep() && hasState && parameters.steps[i] == null) {
          throw new CheckpointException(
              "state." + i + ".step is missing, though parameter " + i + " has state");
        }
        long step =
            target.rule().keepsStep()
                ? (parameters.steps[i] == null ? 0 : parameters.steps[i])
                : (steps == null ? 0 : steps.get(i));
        StateDict.ParameterState mine = target.parameters().get(i);
        states.add(
            new StateDict.ParameterState(
                mine.count(),
                mine.shape(),
                values ? parameters.valueTensors[i] : null,
                parameters.buffers.get(i),
                step,
                parameters.scalars.get(i)));
        stepCount = Math.max(stepCount, step);
      }
      if (stride.containsKey("step_count")) {
        stepCount = count(stride, "step_count");
      }
      List<StateDict.Group> stateGroups = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        Map<String, Object> hyper = new LinkedHashMap<>(groups.get(g));
        int size = ((List<?>) hyper.remove("params")).size();
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (String key : target.rule().groupNumbers()) {
          if (hyper.containsKey(key)) {
            if (!(hyper.remove(key) instanceof Number n)) {
              throw new CheckpointException(
                  "param_groups[" + g + "]'s " + key + " must be a number");
            }
            scalars.put(key, n.doubleValue());
          }
        }
        stateGroups.add(new StateDict.Group(hyper, l1 == null ? 0 : l1.get(g), scalars, size));
      }
      state = new StateDict(target.rule(), stepCount, stateGroups, states);
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
                      object(Json.parse(state, PART + name), PART + name),
                      partTensors.getOrDefault(name, Map.of())));
        } catch (IllegalArgumentException e) {
          throw new CheckpointException("part " + name + ": " + e.getMessage(), e);
        }
      }
      return loaders;
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
        floats(e, target.parameters().get(index).count());
        parameters.valueTensors[index] = bytes;
      } else if (name[0].equals("state") && name.length == 3 && index >= 0 && index < total) {
        String key = name[2];
        if (target.rule().stateKeys().contains(key)) {
          floats(e, target.parameters().get(index).count());
          parameters.buffers.get(index).put(key, bytes);
        } else if (key.equals("step") && target.rule().keepsStep()) {
          double step = number(e, bytes);
          if (!(step >= 0 && step == Math.rint(step) && step < 0x1p62)) {
            throw new CheckpointException(e.name() + " is " + step + ", not a step count");
          }
          parameters.steps[index] = (long) step;
        } else if (target.rule().parameterNumbers().contains(key)) {
          parameters.scalars.get(index).put(key, number(e, bytes));
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

    private List<String> keys() {
      List<String> keys = new ArrayList<>(target.rule().stateKeys());
      if (target.rule().keepsStep()) {
        keys.add("step");
      }
      keys.addAll(target.rule().parameterNumbers());
      return keys;
    }

    /** A tensor of {@code count} floats, of any shape. */
    private void floats(Entry e, long count) throws CheckpointException {
      if (e.dtype() != DType.F32 || e.elements() != count) {
        throw new CheckpointException(
            e.describe()
                + " does not fit: the optimizer's parameter has "
                + count
                + " F32 elements");
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
        Map<String, Object> group = object(list.get(g), "param_groups[" + g + "]");
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

    static Map<String, Object> object(Object value, String what) throws CheckpointException {
      if (!(value instanceof Map<?, ?> map)) {
        throw new CheckpointException(what + " must be a JSON object, got " + value);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) map;
      return typed;
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

  /** What the file holds for each parameter, gathered entry by entry. */
  private static final class Parameters {
    final MemorySegment[] valueTensors;
    final List<Map<String, MemorySegment>> buffers = new ArrayList<>();

    /** Null where the file has no step for the parameter. */
    final Long[] steps;

    final List<Map<String, Double>> scalars = new ArrayList<>();

    Parameters(int total) {
      valueTensors = new MemorySegment[total];
      steps = new Long[total];
      for (int i = 0; i < total; i++) {
        buffers.add(new LinkedHashMap<>());
        scalars.add(new LinkedHashMap<>());
      }
    }
  }
}
