package dev.stride.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Adam;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.Optimizer;
import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.testing.NativeFloats;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of file a load must refuse is refused with a {@link CheckpointException} saying what
 * is wrong, and the optimizer (values, state, step counts, hyperparameters) and the parts stay as
 * they were; a save that fails leaves the previous file and no temporary one.
 */
class CheckpointRefusalTest {
  private final Arena arena = Arena.ofConfined();
  @TempDir Path dir;

  @AfterEach
  void close() {
    arena.close();
  }

  /** Adam over two parameters in two groups, stepped twice. */
  private Adam adam() {
    Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01));
    adam.add(
        NativeFloats.of(arena, NativeFloats.ramp(7, 0.5f, 0.1f)),
        NativeFloats.of(arena, NativeFloats.ramp(7, -0.3f, 0.1f)));
    adam.addGroup(AdamOptions.ADAM_DEFAULTS.withAmsgrad(true))
        .add(
            NativeFloats.of(arena, NativeFloats.ramp(3, -1f, 0.2f)),
            NativeFloats.of(arena, NativeFloats.ramp(3, 0.2f, 0.1f)));
    step(adam, 2);
    return adam;
  }

  private static void step(Optimizer<?> o, int steps) {
    for (int s = 0; s < steps; s++) {
      o.step();
    }
  }

  private Path saved(Optimizer<?> o) throws IOException {
    Path file = dir.resolve("saved.safetensors");
    Checkpoint.of(o).save(file);
    return file;
  }

  /** Loading {@code file} into {@code o} is refused with a message containing {@code expected}. */
  private static void refused(Optimizer<?> o, Path file, String expected) {
    Unchanged unchanged = new Unchanged(o);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Checkpoint.of(o).load(file));
    assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    unchanged.check();
  }

  /** An optimizer's state and values now, and a check that they still are. */
  static final class Unchanged {
    private final Optimizer<?> optimizer;
    private final long steps;
    private final List<Object> hyperparameters;
    private final List<int[]> bits;

    Unchanged(Optimizer<?> o) {
      optimizer = o;
      steps = o.stepCount();
      hyperparameters = o.groups().stream().map(g -> (Object) g.hyperparameters()).toList();
      bits = bits(o);
    }

    private static List<int[]> bits(Optimizer<?> o) {
      return o.stateDict().parameters().stream()
          .flatMap(
              p -> {
                List<MemorySegment> segments = new java.util.ArrayList<>(List.of(p.value()));
                segments.addAll(p.buffers().values());
                return segments.stream();
              })
          .map(s -> s.toArray(java.lang.foreign.ValueLayout.JAVA_INT))
          .toList();
    }

    void check() {
      assertEquals(steps, optimizer.stepCount(), "step count");
      assertEquals(
          hyperparameters,
          optimizer.groups().stream().map(g -> (Object) g.hyperparameters()).toList());
      List<int[]> now = bits(optimizer);
      assertEquals(bits.size(), now.size(), "buffers");
      for (int k = 0; k < bits.size(); k++) {
        assertArrayEquals(bits.get(k), now.get(k), "segment " + k);
      }
    }
  }

  @Test
  void anotherRulesState() throws IOException {
    Sgd sgd = new Sgd(SgdOptions.of(0.1).withMomentum(0.9));
    sgd.add(NativeFloats.allocate(arena, 7), NativeFloats.allocate(arena, 7));
    sgd.addGroup(SgdOptions.of(0.1))
        .add(NativeFloats.allocate(arena, 3), NativeFloats.allocate(arena, 3));
    sgd.step();
    try (Adam adam = adam()) {
      refused(adam, saved(sgd), "it holds the state of SGD, not of Adam (another rule's state)");
    } finally {
      sgd.close();
    }
  }

  @Test
  void otherGroupsOrLengths() throws IOException {
    try (Adam adam = adam();
        Adam three = adam();
        Adam longer = new Adam(AdamOptions.ADAM_DEFAULTS)) {
      Path file = saved(adam);
      three.addGroup(AdamOptions.ADAM_DEFAULTS);
      refused(three, file, "the state has 2 parameter groups, the Adam optimizer 3");
      longer.add(NativeFloats.allocate(arena, 8), NativeFloats.allocate(arena, 8));
      longer
          .addGroup(AdamOptions.ADAM_DEFAULTS)
          .add(NativeFloats.allocate(arena, 3), NativeFloats.allocate(arena, 3));
      refused(
          longer,
          file,
          "param.0 (F32 [7]) does not fit: the optimizer's parameter has 8 F32 elements");
    }
  }

  @Test
  void aPartTheFileLacksOrThatDoesNotFit() throws IOException {
    try (Adam adam = adam()) {
      Path file = saved(adam);
      ScheduleBinding<AdamOptions> binding = ScheduleBinding.of(adam).lr(Schedules.constant(0.1));
      binding.resumeAt(5);
      Unchanged unchanged = new Unchanged(adam);
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.of(adam).with("schedule", CheckpointPart.of(binding)).load(file));
      assertTrue(e.getMessage().contains("it has no part schedule"), e.getMessage());
      unchanged.check();
      assertEquals(5, binding.nextStep());
      assertThrows(
          IllegalArgumentException.class,
          () -> Checkpoint.of(adam).with("state", CheckpointPart.of(binding)));
      assertThrows(
          IllegalArgumentException.class,
          () -> Checkpoint.of(adam).with("Bad.name", CheckpointPart.of(binding)));
    }
  }

  @Test
  void aTruncatedFile() throws IOException {
    try (Adam adam = adam()) {
      byte[] whole = Files.readAllBytes(saved(adam));
      Path file = dir.resolve("truncated.safetensors");
      Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 5));
      refused(adam, file, "(truncated?)");
      Files.write(file, java.util.Arrays.copyOf(whole, 5));
      refused(adam, file, "the file has 5 bytes");
      Files.write(file, java.util.Arrays.copyOf(whole, 100));
      refused(adam, file, "but the file has only 92 after it (truncated?)");
    }
  }

  @Test
  void aFlippedByteInTheDataOrTheHeader() throws IOException {
    try (Adam adam = adam()) {
      byte[] whole = Files.readAllBytes(saved(adam));
      Path file = dir.resolve("flipped.safetensors");
      byte[] data = whole.clone();
      data[data.length - 3] ^= 0x10;
      Files.write(file, data);
      refused(adam, file, "its data is damaged");
      // a digit of the rate: still valid JSON, a different lr, caught by the header's checksum
      String header = new String(whole, 8, (int) length(whole), StandardCharsets.UTF_8);
      int at = 8 + header.indexOf("lr\\\":0.01") + "lr\\\":0.0".length();
      byte[] rate = whole.clone();
      rate[at] = '2';
      Files.write(file, rate);
      refused(adam, file, "the header is damaged");
    }
  }

  @Test
  void headerLengthsOutsideTheFileOrTheLimit() throws IOException {
    try (Adam adam = adam()) {
      byte[] whole = Files.readAllBytes(saved(adam));
      Path file = dir.resolve("length.safetensors");
      for (long length : new long[] {-1, Checkpoint.MAX_HEADER_BYTES + 1, whole.length}) {
        byte[] bad = whole.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        Files.write(file, bad);
        refused(adam, file, length == whole.length ? "(truncated?)" : "more than the 100000000");
      }
      // a sparse file of 100 MB whose header claims all of it: read, found not to be JSON, refused
      Path huge = dir.resolve("huge.safetensors");
      try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
        f.setLength(Checkpoint.MAX_HEADER_BYTES + 8);
        f.write(littleEndian(Checkpoint.MAX_HEADER_BYTES));
      }
      refused(adam, huge, "the header is not valid JSON");
    }
  }

  @Test
  void headersThatAreNotSafetensors() throws IOException {
    try (Adam adam = adam()) {
      String meta = "\"__metadata__\":{\"optimizer\":\"Adam\",\"param_groups\":\"[]\"}";
      refused(adam, raw("[1, 2]", new byte[0]), "the header must be an object");
      refused(
          adam,
          raw(
              "{"
                  + meta
                  + ",\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
              new byte[12]),
          "overlaps a's");
      refused(
          adam,
          raw(
              "{" + meta + ",\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
              new byte[8]),
          "a hole of 4 bytes before a");
      refused(
          adam,
          raw(
              "{" + meta + ",\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
              new byte[8]),
          "needs 12 bytes, its data_offsets [0, 8] give 8");
      refused(
          adam,
          raw(
              "{" + meta + ",\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
              new byte[8]),
          "ends at byte 16 of the data, which has 8");
      refused(
          adam,
          raw(
              "{" + meta + ",\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
              new byte[8]),
          "has dtype F16");
      refused(
          adam,
          raw(
              "{"
                  + meta
                  + ",\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                  + "\"data_offsets\":[0,8]}}",
              new byte[8]),
          "more elements than a file can hold");
      refused(
          adam,
          raw(
              "{"
                  + meta
                  + ",\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                  + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
              new byte[8]),
          "Duplicate field 'a'");
      refused(adam, raw("{" + meta + "}", new byte[4]), "4 bytes after the last tensor");
      refused(
          adam,
          raw(
              "{\"__metadata__\":{\"optimizer\":\"Adam\",\"param_groups\":\""
                  + "[".repeat(100_000)
                  + "\"}}",
              new byte[0]),
          "nesting depth");
      refused(adam, raw("{}", new byte[0]), "its metadata has no optimizer");
    }
  }

  @Test
  void entriesThatDoNotFitOrAreMissing() throws IOException {
    try (Adam adam = adam()) {
      String meta =
          "\"__metadata__\":{\"optimizer\":\"Adam\",\"param_groups\":\""
              + "[{\\\"lr\\\":0.01,\\\"params\\\":[0]},{\\\"lr\\\":0.001,\\\"amsgrad\\\":true,\\\"params\\\":[1]}]\"}";
      String f32 = "{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%d,%d]}";
      String step = ",\"state.%d.step\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]}";
      // parameter 0 with a step and exp_avg but no exp_avg_sq, as no PyTorch Adam would have it
      refused(
          adam,
          raw(
              "{"
                  + meta
                  + ",\"state.0.exp_avg\":"
                  + String.format(f32, 7, 0, 28)
                  + String.format(step, 0, 28, 32)
                  + "}",
              floats(8, 1f)),
          "parameter 0 has state but no exp_avg_sq");
      // a buffer without its step
      refused(
          adam,
          raw(
              "{" + meta + ",\"state.1.exp_avg\":" + String.format(f32, 3, 0, 12) + "}",
              floats(3, 0f)),
          "state.1.step is missing");
      // F64 where the parameter is F32
      refused(
          adam,
          raw(
              "{"
                  + meta
                  + ",\"param.1\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}",
              new byte[24]),
          "param.1 (F64 [3]) does not fit");
      refused(
          adam,
          raw(
              "{" + meta + ",\"state.0.momentum_buffer\":" + String.format(f32, 7, 0, 28) + "}",
              new byte[28]),
          "state.0.momentum_buffer is no state of Adam");
      refused(
          adam,
          raw("{" + meta + ",\"param.9\":" + String.format(f32, 7, 0, 28) + "}", new byte[28]),
          "tensor param.9 is none of this optimizer's 2 parameters'");
      refused(
          adam,
          raw("{" + meta + ",\"param.0\":" + String.format(f32, 7, 0, 28) + "}", new byte[28]),
          "param.1 is missing, though other parameters' values are there");
      refused(
          adam,
          raw("{" + meta + String.format(step, 0, 0, 4) + "}", floats(1, 2.5f)),
          "state.0.step is 2.5, not a step count");
      String wrongParams = meta.replace("\\\"params\\\":[1]", "\\\"params\\\":[2]");
      refused(adam, raw("{" + wrongParams + "}", new byte[0]), "param_groups[1]'s params are [2]");
      String refusedHyper = meta.replace("0.01", "-1");
      refused(
          adam,
          raw("{" + refusedHyper + "}", new byte[0]),
          "group 0: lr must be a finite number >= 0, got -1.0");
      String unknownHyper = meta.replace("\\\"lr\\\":0.01", "\\\"lr\\\":0.01,\\\"momentum\\\":0.9");
      refused(
          adam,
          raw("{" + unknownHyper + "}", new byte[0]),
          "group 0: Adam takes no argument momentum");
    }
  }

  @Test
  void aTensorMissingFromAStrideFileWhoseHeaderChecksumWasForged() throws IOException {
    try (Adam adam = adam()) {
      byte[] whole = Files.readAllBytes(saved(adam));
      String header = new String(whole, 8, (int) length(whole), StandardCharsets.UTF_8);
      // the last tensor in the data: its entry and its 4 bytes go, the header's checksum is redone
      String last = ",\"state.1.step\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[";
      int from = header.indexOf(last);
      int to = header.indexOf('}', from) + 1;
      String cut = header.substring(0, from) + header.substring(to);
      int digits =
          cut.indexOf("\"stride.header_crc32c\":\"") + "\"stride.header_crc32c\":\"".length();
      cut = cut.substring(0, digits) + "00000000" + cut.substring(digits + 8);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(cut.getBytes(StandardCharsets.UTF_8));
      cut =
          cut.substring(0, digits)
              + String.format("%08x", (int) crc.getValue())
              + cut.substring(digits + 8);
      byte[] data = java.util.Arrays.copyOfRange(whole, 8 + header.length(), whole.length - 4);
      refused(adam, raw(cut, data), "tensor state.1.step is missing: the checksums list it");
    }
  }

  @Test
  void aFailedSaveLeavesThePreviousFileAndNoTemporaryOne() throws IOException {
    try (Adam adam = adam()) {
      Path file = saved(adam);
      byte[] before = Files.readAllBytes(file);
      CheckpointPart failing =
          new CheckpointPart() {
            @Override
            public Map<String, ?> state() {
              return Map.of();
            }

            @Override
            public Map<String, MemorySegment> tensors() {
              Arena closed = Arena.ofConfined();
              MemorySegment gone = closed.allocate(16);
              closed.close();
              return Map.of("0", gone); // fails as it is written
            }

            @Override
            public Runnable restorer(
                Map<String, Object> state, Map<String, MemorySegment> tensors) {
              return () -> {};
            }
          };
      step(adam, 1);
      assertThrows(
          IllegalStateException.class, () -> Checkpoint.of(adam).with("bad", failing).save(file));
      assertArrayEquals(before, Files.readAllBytes(file));
      try (var files = Files.list(dir)) {
        assertEquals(List.of(file), files.toList(), "only the checkpoint itself");
      }
    }
  }

  private static long length(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static byte[] littleEndian(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private static byte[] floats(int n, float v) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** A file of this header and data, laid out as safetensors. */
  private Path raw(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path file = Files.createTempFile(dir, "raw", ".safetensors");
    Files.write(file, b.array());
    return file;
  }
}
