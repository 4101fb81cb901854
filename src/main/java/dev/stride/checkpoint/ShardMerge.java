package dev.stride.checkpoint;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.stride.checkpoint.SafeTensors.Entry;
import dev.stride.checkpoint.SafeTensors.Output;
import dev.stride.optim.Rule;
import dev.stride.optim.Rules;
import dev.stride.optim.StateDict;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files the ranks of a sharded optimizer saved, put together into the file the unsharded
 * optimizer saves: each tensor's parts, in offset order, into the whole tensor of its shape; its
 * step and per-parameter numbers from the ranks that hold a part of it (the same on each); the
 * groups, step count and parts from rank 0, which must be every rank's.
 */
final class ShardMerge {
  /** One rank's file, mapped and checked. */
  private record Shard(
      Path file,
      Map<String, String> metadata,
      Map<String, Entry> entries,
      MemorySegment data,
      long[][] parts,
      List<long[]> shapes) {
    MemorySegment bytes(Entry e) {
      return data.asSlice(e.begin(), e.end() - e.begin());
    }
  }

  private ShardMerge() {}

  static void merge(List<Path> files, Path merged) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("merge needs the shards' files, got none");
    }
    List<FileChannel> channels = new ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      Shard[] shards = new Shard[files.size()];
      for (Path file : files) {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channels.add(channel);
        Shard s = read(file, TensorFile.read(channel, arena), files.size());
        int rank = (int) (long) (Long) shardOf(s.metadata).get("rank");
        if (shards[rank] != null) {
          throw new CheckpointException(
              file + " and " + shards[rank].file + " both hold shard " + rank);
        }
        shards[rank] = s;
      }
      Shard first = shards[0];
      for (Shard s : shards) {
        checkAlike(first, s);
      }
      Rule<?> rule = rule(first);
      boolean values = first.entries.keySet().stream().anyMatch(n -> n.startsWith("param."));
      List<StateDict.ParameterState> parameters = new ArrayList<>();
      List<Long> steps = new ArrayList<>();
      for (int i = 0; i < first.shapes.size(); i++) {
        StateDict.ParameterState p = whole(rule, shards, i, values, arena);
        parameters.add(p);
        steps.add(p.step());
      }
      Map<String, String> metadata = new LinkedHashMap<>(first.metadata);
      metadata.remove(StateDictLayout.SHARD);
      metadata.remove(TensorFile.CRCS);
      metadata.remove(TensorFile.HEADER_CRC);
      Map<String, Object> stride =
          Json.object(
              Json.parse(metadata.get(StateDictLayout.STRIDE), StateDictLayout.STRIDE),
              StateDictLayout.STRIDE);
      long stepCount = (Long) stride.get("step_count");
      if (stride.containsKey("steps")) {
        stride.put("steps", steps); // a rank's lists 0 for the tensors outside its shard
        metadata.put(StateDictLayout.STRIDE, Json.write(stride));
      }
      // the tensors alone, whose layout needs one float32 group (a slab's state is float32); the
      // groups' metadata is the first rank's
      StateDict state =
          new StateDict(
              rule,
              stepCount,
              List.of(new StateDict.Group(Map.of(), 0, Map.of(), parameters.size())),
              parameters);
      List<Output> tensors =
          new ArrayList<>(new StateDictLayout(Map.of(), values).tensors(state, arena));
      for (Entry e : first.entries.values()) { // the parts' tensors, in the order saved
        String name = e.name();
        if (!name.startsWith("param.") && !name.startsWith("state.")) {
          for (Shard s : shards) {
            Entry other = s.entries.get(name);
            if (other == null
                || other.end() - other.begin() != e.end() - e.begin()
                || s.bytes(other).mismatch(first.bytes(e)) >= 0) {
              throw new CheckpointException(
                  "the parts' tensor "
                      + name
                      + " differs between ranks 0 and "
                      + rankOf(s)
                      + ": only parts every rank holds alike merge (not a weight average of a"
                      + " sharded optimizer)");
            }
          }
          tensors.add(new Output(name, e.dtype(), e.shape(), first.bytes(e)));
        }
      }
      TensorFile.write(merged, tensors, metadata);
    } finally {
      for (FileChannel c : channels) {
        c.close();
      }
    }
  }

  private static Shard read(Path file, TensorFile.Contents contents, int files)
      throws CheckpointException {
    Map<String, String> metadata = contents.header().metadata();
    if (!metadata.containsKey(StateDictLayout.SHARD)) {
      throw new CheckpointException(
          file + " is no shard's file: it has no " + StateDictLayout.SHARD);
    }
    Map<String, Object> shard = shardOf(metadata);
    if (!(shard.get("rank") instanceof Long rank)
        || !(shard.get("ranks") instanceof Long ranks)
        || ranks != files
        || rank < 0
        || rank >= ranks) {
      throw new CheckpointException(
          file
              + " is shard "
              + shard.get("rank")
              + " of "
              + shard.get("ranks")
              + ", not one of the "
              + files
              + " files given");
    }
    List<long[]> shapes = new ArrayList<>();
    for (Object o : (List<?>) shard.get("shapes")) {
      shapes.add(((List<?>) o).stream().mapToLong(x -> (Long) x).toArray());
    }
    long[][] parts = new long[shapes.size()][];
    for (Object o : (List<?>) shard.get("parts")) {
      List<?> part = (List<?>) o;
      parts[(int) (long) (Long) part.get(0)] = new long[] {(Long) part.get(1), (Long) part.get(2)};
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    contents.header().entries().forEach(e -> entries.put(e.name(), e));
    return new Shard(file, metadata, entries, contents.data(), parts, shapes);
  }

  private static Map<String, Object> shardOf(Map<String, String> metadata)
      throws CheckpointException {
    return Json.object(
        Json.parse(metadata.get(StateDictLayout.SHARD), StateDictLayout.SHARD),
        StateDictLayout.SHARD);
  }

  private static long rankOf(Shard s) throws CheckpointException {
    return (Long) shardOf(s.metadata).get("rank");
  }

  /** Every metadata entry but the shard's own and the checksums must be rank 0's. */
  private static void checkAlike(Shard first, Shard s) throws CheckpointException {
    for (String key : first.metadata.keySet()) {
      if (key.equals(StateDictLayout.SHARD)
          || key.equals(TensorFile.CRCS)
          || key.equals(TensorFile.HEADER_CRC)) {
        continue;
      }
      String a = first.metadata.get(key);
      String b = s.metadata.get(key);
      if (key.equals(StateDictLayout.STRIDE) && b != null) {
        Map<String, Object> x = new LinkedHashMap<>(Json.object(Json.parse(a, key), key));
        Map<String, Object> y = new LinkedHashMap<>(Json.object(Json.parse(b, key), key));
        x.remove("steps");
        y.remove("steps");
        a = Json.write(x);
        b = Json.write(y);
      }
      if (!a.equals(b)) {
        throw new CheckpointException(
            "the shards' "
                + key
                + " differ: rank 0's is "
                + first.metadata.get(key)
                + ", rank "
                + rankOf(s)
                + "'s "
                + s.metadata.get(key));
      }
    }
    if (!sameShapes(first.shapes, s.shapes)) {
      throw new CheckpointException(
          "rank " + rankOf(s) + "'s tensors' shapes differ from rank 0's");
    }
  }

  private static boolean sameShapes(List<long[]> a, List<long[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static Rule<?> rule(Shard first) throws CheckpointException {
    try {
      return Rules.named(first.metadata.get("optimizer"));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
  }

  /** Tensor {@code i} whole: its parts in offset order, its step and numbers from their ranks. */
  private static StateDict.ParameterState whole(
      Rule<?> rule, Shard[] shards, int i, boolean values, Arena arena) throws CheckpointException {
    long[] shape = shards[0].shapes.get(i);
    long count = StateDictLayout.elements(shape);
    List<Shard> holders = new ArrayList<>();
    for (Shard s : shards) {
      if (s.parts[i] != null) {
        holders.add(s);
      }
    }
    holders.sort(java.util.Comparator.comparingLong(s -> s.parts[i][0]));
    long next = 0;
    for (Shard s : holders) {
      if (s.parts[i][0] != next) {
        throw new CheckpointException(
            "parameter "
                + i
                + "'s parts leave elements ["
                + next
                + ", "
                + s.parts[i][0]
                + ") to no shard");
      }
      next += s.parts[i][1];
    }
    if (next != count) {
      throw new CheckpointException(
          "parameter " + i + "'s parts hold " + next + " of its " + count + " elements");
    }
    MemorySegment value = values && count > 0 ? concatenate(holders, "param." + i, i, arena) : null;
    if (values && count == 0) {
      value = MemorySegment.NULL;
    }
    Map<String, MemorySegment> buffers = new LinkedHashMap<>();
    long step = 0;
    Map<String, Double> numbers = new LinkedHashMap<>();
    if (!holders.isEmpty()) {
      Shard first = holders.getFirst();
      for (String key : rule.stateKeys()) {
        if (first.entries.containsKey("state." + i + "." + key)) {
          buffers.put(key, concatenate(holders, "state." + i + "." + key, i, arena));
        }
      }
      step = agreed(holders, i, "step", rule.keepsStep());
      for (String key : rule.parameterNumbers()) {
        if (first.entries.containsKey("state." + i + "." + key)) {
          numbers.put(key, number(holders, "state." + i + "." + key));
        }
      }
    }
    return new StateDict.ParameterState(count, shape, value, buffers, step, numbers);
  }

  /** The parts of tensor {@code name} of every holder, one after another. */
  private static MemorySegment concatenate(List<Shard> holders, String name, int i, Arena arena)
      throws CheckpointException {
    long bytes = 0;
    for (Shard s : holders) {
      Entry e = s.entries.get(name);
      if (e == null || e.elements() != s.parts[i][1]) {
        throw new CheckpointException(
            "rank " + rankOf(s) + " holds a part of parameter " + i + " but not " + name);
      }
      bytes += e.end() - e.begin();
    }
    MemorySegment whole = arena.allocate(bytes, 64);
    long at = 0;
    for (Shard s : holders) {
      MemorySegment part = s.bytes(s.entries.get(name));
      MemorySegment.copy(part, 0, whole, at, part.byteSize());
      at += part.byteSize();
    }
    return whole;
  }

  /** Tensor {@code i}'s step, as its holders have it: the same on each. */
  private static long agreed(List<Shard> holders, int i, String key, boolean tensor)
      throws CheckpointException {
    long step = -1;
    for (Shard s : holders) {
      long mine;
      if (tensor) {
        Entry e = s.entries.get("state." + i + "." + key);
        mine = e == null ? 0 : (long) value(s, e);
      } else {
        Map<String, Object> stride =
            Json.object(
                Json.parse(s.metadata.get(StateDictLayout.STRIDE), StateDictLayout.STRIDE),
                StateDictLayout.STRIDE);
        Object steps = stride.get("steps");
        mine = steps instanceof List<?> l && l.get(i) instanceof Long n ? n : 0;
      }
      if (step >= 0 && mine != step) {
        throw new CheckpointException(
            "parameter " + i + "'s parts have taken " + step + " and " + mine + " steps");
      }
      step = mine;
    }
    return step;
  }

  private static double number(List<Shard> holders, String name) throws CheckpointException {
    double v = value(holders.getFirst(), holders.getFirst().entries.get(name));
    for (Shard s : holders) {
      Entry e = s.entries.get(name);
      if (e == null || Double.doubleToRawLongBits(value(s, e)) != Double.doubleToRawLongBits(v)) {
        throw new CheckpointException(name + " differs between the ranks that hold its parts");
      }
    }
    return v;
  }

  private static double value(Shard s, Entry e) throws CheckpointException {
    MemorySegment b = s.bytes(e);
    return switch (e.dtype()) {
      case F32 -> b.get(JAVA_FLOAT_UNALIGNED, 0);
      case F64 -> b.get(JAVA_DOUBLE_UNALIGNED, 0);
      case I64 -> b.get(JAVA_LONG_UNALIGNED, 0);
      case BF16, U8, F8_E4M3 -> throw new CheckpointException(e.describe() + " is not a number");
    };
  }
}
