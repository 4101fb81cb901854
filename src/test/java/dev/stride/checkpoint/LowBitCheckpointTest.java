package dev.stride.checkpoint;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stride.checkpoint.SafeTensors.Output;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Bf16Rounding;
import dev.stride.optim.StateDict;
import dev.stride.optim.StatePrecision;
import dev.stride.testing.NativeFloats;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Low-precision state in a checkpoint: it resumes to the bit in every precision and rounding, its
 * tensors have the names and dtypes the README documents (torchao's codes, scale and qmap), a file
 * loads only into an optimizer of its own precision and maps, and the README's Python dequantizes
 * it to the values Stride steps from.
 */
class LowBitCheckpointTest {
  private static final List<StatePrecision> PRECISIONS =
      List.of(
          StatePrecision.BF16,
          StatePrecision.torchao8bit().withMinQuantizedSize(512),
          StatePrecision.torchao4bit().withMinQuantizedSize(512),
          StatePrecision.torchaoFp8().withMinQuantizedSize(512),
          StatePrecision.bitsandbytes8bit().withMinQuantizedSize(512));

  @TempDir Path dir;

  /** AdamW over a 32×32 float32 weight, 300 float32 biases and a 1024-element bfloat16 weight. */
  private static final class Run implements AutoCloseable {
    final Arena arena = Arena.ofConfined();
    final AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(1e-2).withAmsgrad(false));
    final MemorySegment w = NativeFloats.allocate(arena, 1024);
    final MemorySegment b = NativeFloats.allocate(arena, 300);
    final MemorySegment h = arena.allocate(2 * 1024, 64);
    final MemorySegment gw = NativeFloats.allocate(arena, 1024);
    final MemorySegment gb = NativeFloats.allocate(arena, 300);
    final MemorySegment gh = NativeFloats.allocate(arena, 1024);

    Run(StatePrecision precision, Bf16Rounding rounding) {
      adamW.group(0).setStatePrecision(precision).setBf16Rounding(rounding);
      adamW.group(0).add(w, gw, 32, 32).add(b, gb);
      adamW.group(0).addBf16(h, gh, 1024);
      Random r = new Random(11);
      for (long i = 0; i < 1024; i++) {
        w.setAtIndex(JAVA_FLOAT, i, (float) r.nextGaussian());
        h.setAtIndex(
            JAVA_SHORT, i, (short) (Float.floatToRawIntBits((float) r.nextGaussian()) >>> 16));
      }
    }

    void steps(int from, int to) {
      for (int s = from; s < to; s++) {
        Random r = new Random(s);
        for (MemorySegment g : List.of(gw, gb, gh)) {
          for (long i = 0; i < g.byteSize() / 4; i++) {
            g.setAtIndex(JAVA_FLOAT, i, (float) (r.nextGaussian() * (i % 97 == 0 ? 30 : 1)));
          }
        }
        adamW.step();
      }
    }

    /** The parameters' bytes and every state buffer's, in order. */
    List<byte[]> everything() {
      List<byte[]> out = new ArrayList<>();
      StateDict state = adamW.stateDict();
      for (StateDict.ParameterState p : state.parameters()) {
        out.add(p.value().toArray(JAVA_BYTE));
        p.buffers().values().forEach(s -> out.add(s.toArray(JAVA_BYTE)));
        p.scales().values().forEach(s -> out.add(s.toArray(JAVA_BYTE)));
        if (p.master() != null) {
          out.add(p.master().toArray(JAVA_BYTE));
        }
      }
      return out;
    }

    @Override
    public void close() {
      adamW.close();
      arena.close();
    }
  }

  @Test
  void resumesToTheBitInEveryPrecision() throws IOException {
    for (StatePrecision p : PRECISIONS) {
      for (Bf16Rounding r : Bf16Rounding.values()) {
        Path file = dir.resolve("run.safetensors");
        List<byte[]> uninterrupted;
        try (Run run = new Run(p, r)) {
          run.steps(0, 3);
          Checkpoint.of(run.adamW).save(file);
          run.steps(3, 6);
          uninterrupted = run.everything();
        }
        try (Run run = new Run(p, r)) {
          Checkpoint.of(run.adamW).load(file);
          run.steps(3, 6);
          List<byte[]> resumed = run.everything();
          assertEquals(uninterrupted.size(), resumed.size());
          for (int k = 0; k < resumed.size(); k++) {
            assertArrayEquals(uninterrupted.get(k), resumed.get(k), p + ", " + r + ", tensor " + k);
          }
        }
      }
    }
  }

  @Test
  void lowBitStateHasTorchaosNamesAndDtypes() throws IOException {
    Path file = dir.resolve("q4.safetensors");
    try (Run run =
        new Run(StatePrecision.torchao4bit().withMinQuantizedSize(512), Bf16Rounding.FP32_MASTER)) {
      run.steps(0, 1);
      Checkpoint.of(run.adamW).save(file);
    }
    JsonNode h = header(file);
    assertTensor(h, "param.0", "F32", "[32,32]");
    assertTensor(h, "state.0.exp_avg.codes", "U8", "[512]"); // two codes a byte
    assertTensor(h, "state.0.exp_avg.scale", "F32", "[8]");
    assertTensor(h, "state.0.exp_avg.qmap", "F32", "[16]");
    assertTensor(h, "state.1.exp_avg", "F32", "[300]"); // below the threshold: plain float32
    assertTensor(h, "param.2", "BF16", "[1024]");
    assertTensor(h, "param.2.master", "F32", "[1024]");
    JsonNode stride = new ObjectMapper().readTree(h.get("__metadata__").get("stride").asText());
    assertEquals("TORCHAO_4BIT", stride.get("state_precision").get(0).get("format").asText());
    assertEquals(128, stride.get("state_precision").get(0).get("block_size").asInt());
    assertEquals("FP32_MASTER", stride.get("bf16_rounding").get(0).asText());

    Path fp8 = dir.resolve("fp8.safetensors");
    try (Run run =
        new Run(StatePrecision.torchaoFp8().withMinQuantizedSize(512), Bf16Rounding.NEAREST)) {
      run.steps(0, 1);
      Checkpoint.of(run.adamW).save(fp8);
    }
    JsonNode h8 = header(fp8);
    assertTensor(h8, "state.0.exp_avg.codes", "F8_E4M3", "[32,32]");
    assertTrue(!h8.has("state.0.exp_avg.qmap"), "float8 codes are their own values");
  }

  @Test
  void aFileLoadsOnlyIntoItsOwnPrecision() throws IOException {
    Path q8 = dir.resolve("q8.safetensors");
    Path fp32 = dir.resolve("fp32.safetensors");
    StatePrecision p8 = StatePrecision.torchao8bit().withMinQuantizedSize(512);
    try (Run run = new Run(p8, Bf16Rounding.NEAREST)) {
      run.steps(0, 2);
      Checkpoint.of(run.adamW).save(q8);
    }
    try (Run run = new Run(StatePrecision.FP32, Bf16Rounding.NEAREST)) {
      run.steps(0, 2);
      Checkpoint.of(run.adamW).save(fp32);
    }
    refused(new Run(StatePrecision.FP32, Bf16Rounding.NEAREST), q8, "own precision");
    refused(new Run(p8, Bf16Rounding.NEAREST), fp32, "own precision");
    refused(new Run(p8.withBlockSize(128), Bf16Rounding.NEAREST), q8, "own precision");
    refused(new Run(p8, Bf16Rounding.STOCHASTIC), q8, "rounds bfloat16 parameters");
  }

  /** A file whose map differs (torch 1.13's linspace gives maps an ulp off) is refused. */
  @Test
  void codesOfAnotherMapAreRefused() throws IOException {
    Path file = dir.resolve("other-map.safetensors");
    try (Run run =
            new Run(StatePrecision.torchao8bit().withMinQuantizedSize(512), Bf16Rounding.NEAREST);
        Arena arena = Arena.ofConfined()) {
      run.steps(0, 1);
      StateDictLayout layout = new StateDictLayout(Map.of(), true);
      StateDict state = run.adamW.stateDict();
      List<Output> tensors = new ArrayList<>();
      for (Output t : layout.tensors(state, arena)) {
        if (t.name().equals("state.0.exp_avg.qmap")) {
          MemorySegment map = arena.allocate(t.data().byteSize()).copyFrom(t.data());
          map.setAtIndex(JAVA_FLOAT, 44, Math.nextUp(map.getAtIndex(JAVA_FLOAT, 44)));
          t = new Output(t.name(), t.dtype(), t.shape(), map);
        }
        tensors.add(t);
      }
      TensorFile.write(file, tensors, layout.metadata(state));
    }
    refused(
        new Run(StatePrecision.torchao8bit().withMinQuantizedSize(512), Bf16Rounding.NEAREST),
        file,
        "state.0.exp_avg.qmap[44]");
  }

  /**
   * The README's Python functions read a low-bit file and dequantize every buffer to the values
   * Stride's state dict holds (with numpy; skipped where python3 has none).
   */
  @Test
  void theReadmesPythonDequantizesIt() throws IOException, InterruptedException {
    Assumptions.assumeTrue(hasNumpy(), "python3 with numpy is needed");
    String python = readmePython();
    for (StatePrecision p : PRECISIONS) {
      Path file = dir.resolve("python.safetensors");
      Path expected = dir.resolve("expected.f32");
      try (Run run = new Run(p, Bf16Rounding.NEAREST)) {
        run.steps(0, 2);
        Checkpoint.of(run.adamW).save(file);
        StateDict state = run.adamW.stateDict();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          for (String key : List.of("exp_avg", "exp_avg_sq")) {
            for (float v : dequantize(state, i, key, p)) {
              values.add(v);
            }
          }
        }
        ByteBuffer out = ByteBuffer.allocate(4 * values.size()).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(out::putFloat);
        Files.write(expected, out.array());
      }
      String script =
          python
              + "\n"
              + "import sys\n"
              + "metadata, tensors = read_checkpoint(sys.argv[1])\n"
              + "block = json.loads(metadata['stride'])['state_precision'][0].get('block_size',"
              + " 0)\n"
              + "got = np.concatenate([dequantize(tensors, f'state.{i}.{k}', block) for i in"
              + " range(3) for k in ('exp_avg', 'exp_avg_sq')]).astype('<f4')\n"
              + "want = np.fromfile(sys.argv[2], '<f4')\n"
              + "same = (got.view('<u4') == want.view('<u4')) | (np.isnan(got) & np.isnan(want))\n"
              + "print('ok' if got.shape == want.shape and same.all() else f'differ at"
              + " {np.nonzero(~same)[0][:5]}')\n";
      Path scriptFile = dir.resolve("dequantize.py");
      Files.writeString(scriptFile, script);
      Process process =
          new ProcessBuilder("python3", scriptFile.toString(), file.toString(), expected.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS));
      assertEquals("ok", output.strip(), p + ": " + output);
    }
  }

  /** The README's Python definitions: the imports and every function of its Python blocks. */
  private static String readmePython() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    StringBuilder code = new StringBuilder();
    Matcher block = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (block.find()) {
      boolean inFunction = false;
      for (String line : block.group(1).split("\n")) {
        if (line.startsWith("def ")) {
          inFunction = true;
        } else if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
          inFunction = false;
        }
        if (inFunction || line.startsWith("import ")) {
          code.append(line).append('\n');
        }
      }
    }
    assertTrue(code.indexOf("def dequantize") >= 0, "the README has no dequantize in Python");
    return code.toString();
  }

  /** What Stride's state holds, as float32: the reference the Python must meet. */
  private static float[] dequantize(StateDict state, int i, String key, StatePrecision p) {
    StateDict.ParameterState ps = state.parameters().get(i);
    MemorySegment v = ps.buffers().get(key);
    int n = (int) ps.count();
    float[] out = new float[n];
    StateDict.Encoding encoding = state.encoding(i, key);
    float[] map = state.codeMap(i, key);
    for (int e = 0; e < n; e++) {
      out[e] =
          switch (encoding) {
            case F32 -> v.getAtIndex(JAVA_FLOAT, e);
            case BF16 -> Float.intBitsToFloat(v.getAtIndex(JAVA_SHORT, e) << 16);
            default -> {
              int c =
                  encoding == StateDict.Encoding.CODES_4BIT
                      ? (e % 2 == 0
                          ? (v.get(JAVA_BYTE, e / 2) & 0xFF) >>> 4
                          : v.get(JAVA_BYTE, e / 2) & 0xF)
                      : v.get(JAVA_BYTE, e) & 0xFF;
              float value = map != null ? map[c] : e4m3(c);
              yield value * ps.scales().get(key).getAtIndex(JAVA_FLOAT, e / p.blockSize());
            }
          };
    }
    return out;
  }

  private static float e4m3(int c) {
    int e = (c >>> 3) & 15;
    int m = c & 7;
    float v = e == 0 ? m * 0x1p-9f : (1 + m / 8f) * Math.scalb(1f, e - 7);
    return e == 15 && m == 7 ? Float.NaN : (c & 0x80) != 0 ? -v : v;
  }

  private static boolean hasNumpy() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void refused(Run run, Path file, String part) {
    try (run) {
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> Checkpoint.of(run.adamW).load(file));
      assertTrue(e.getMessage().contains(part), () -> "message: " + e.getMessage());
    }
  }

  private static JsonNode header(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    return new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
  }

  private static void assertTensor(JsonNode h, String name, String dtype, String shape) {
    JsonNode t = h.get(name);
    assertTrue(t != null, name + " is missing; the file has " + names(h));
    assertEquals(dtype, t.get("dtype").asText(), name);
    assertEquals(shape, t.get("shape").toString(), name);
  }

  private static List<String> names(JsonNode h) {
    List<String> names = new ArrayList<>();
    h.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
