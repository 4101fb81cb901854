package dev.stride.checkpoint;

import dev.stride.optim.Optimizer;
import dev.stride.optim.StateDict;
import dev.stride.training.EarlyStopping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * <p>The data is written with {@code FileChannel} from the state's own memory and read through a
 * mapped segment straight into it: no heap copy of the state. Save and load from the thread that
 * steps the optimizer, between steps. Little-endian machines only (the data is copied as bytes).
 *
 * <p>This class is the facade: {@link TensorFile} is the file (atomic writes, checksums, the mapped
 * read), {@link StateDictLayout} the names in it.
 */
public final class Checkpoint {
  /** The largest header a file may have, as the safetensors library's own limit. */
  public static final long MAX_HEADER_BYTES = 100_000_000;

  /** The {@code format} metadata value: PyTorch's state_dict layout, version 1. */
  public static final String FORMAT = "torch.optim state_dict/1";

  private static final Pattern PART_NAME = Pattern.compile("[a-z][a-z0-9_]*");

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
    StateDict state = optimizer.stateDict();
    StateDictLayout layout = layout();
    try (Arena arena = Arena.ofConfined()) {
      TensorFile.write(file, layout.tensors(state, arena), layout.metadata(state));
    }
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
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        Arena arena = Arena.ofConfined()) {
      TensorFile.Contents contents = TensorFile.read(channel, arena);
      StateDictLayout.Read read =
          layout().read(contents.header(), contents.data(), optimizer.stateDict());
      // the parts are checked: the optimizer's state is checked and loaded, all or nothing, and
      // then the parts, which can no longer fail; a file without checksums (PyTorch's) must hold
      // every buffer its hyperparameters keep, since nothing else vouches for it
      try {
        optimizer.loadStateDict(read.state(), !contents.checksummed());
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(e.getMessage(), e);
      }
      read.parts().forEach(Runnable::run);
    } catch (CheckpointException e) {
      throw new CheckpointException("cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts the files the ranks of a sharded optimizer saved ({@link Optimizer#setShard}: each rank's
   * {@code save} writes its shard's part of every tensor, with {@code stride.shard} saying which)
   * together into {@code merged}: the file the unsharded optimizer over the whole slab saves, to
   * the byte. The parts must be every rank's alike (a schedule's, a loss scaler's; a sharded
   * optimizer's weight average is each rank's own, and does not merge). The other way, a rank's
   * optimizer {@link #load}s a whole file and takes its shard's part of it; {@code save} then
   * writes that rank's file.
   *
   * @throws CheckpointException if a file is damaged, not a shard's, or does not fit the others
   *     (another rank count, a rank twice, other groups or parts, parts that do not tile a tensor),
   *     saying what is wrong; {@code merged} is then as it was
   * @throws IOException if a file cannot be read or {@code merged} written
   */
  public static void merge(List<Path> shards, Path merged) throws IOException {
    ShardMerge.merge(List.copyOf(shards), Objects.requireNonNull(merged, "merged"));
  }

  private StateDictLayout layout() {
    return new StateDictLayout(parts, values);
  }
}
