package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Adam and AdamW with low-precision state follow torchao's and bitsandbytes' trajectories
 * (lowbit.json, FORMAT.md's "Tolerance") through the public API: each case's optimizer class made
 * as Stride's rule, state precision and bfloat16 rounding, its tensors registered in its shapes.
 *
 * <p>Level A, the check: every step starts from the golden parameters and the golden quantized and
 * bfloat16 state of the step before (put in place with {@link Optimizer#loadStateDict}, the float32
 * state the run's own), then must give the golden codes and bfloat16 values exactly, but at the
 * listed fragile elements, the scales within 1e-5 and the float32 parameters within the parameter
 * bound. Level B, a plain replay from the start: at most 1 % of each buffer's codes off at any
 * step, float32 parameters within lr and 99 % within the tight bound, bfloat16 parameters 99 %
 * within one bfloat16 step. Stochastic rounding takes the case's noise, the one thing the public
 * API cannot be given (Stride draws its own). {@code -Dstride.golden.dir=DIR} replays another
 * {@code lowbit.json}.
 */
class GoldenLowBitTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final List<JsonNode> CASES = GoldenFiles.cases("golden", "lowbit.json");
  private static final JsonNode TOLERANCE =
      GoldenFiles.root("golden", "lowbit.json").get("meta").get("tolerance");

  @TestFactory
  Stream<DynamicTest> levelAFromTheGoldenStateOfEachStep() {
    return CASES.stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText() + " (level A)", () -> levelA(c)));
  }

  @TestFactory
  Stream<DynamicTest> levelBPlainReplay() {
    return CASES.stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText() + " (level B)", () -> levelB(c)));
  }

  /** A case's optimizer, tensors and data, as Stride holds them. */
  private static final class Run implements AutoCloseable {
    final JsonNode c;
    final Arena arena = Arena.ofConfined();
    final Adam optimizer;
    final boolean bf16;
    final int[] sizes;
    final int[] offsets;
    final List<MemorySegment> values = new ArrayList<>();
    final List<MemorySegment> grads = new ArrayList<>();
    final int steps;
    final float lr;

    Run(JsonNode c) {
      this.c = c;
      JsonNode h = c.get("hyper");
      String library = c.get("library").asText();
      String cls = c.get("optimizer").asText();
      boolean adamW = cls.startsWith("AdamW") || cls.equals("_AdamW");
      double wd = h.has("weight_decay") ? h.get("weight_decay").asDouble() : adamW ? 1e-2 : 0;
      double[] betas =
          h.has("betas") ? GoldenFiles.doubles(h.get("betas")) : new double[] {0.9, 0.999};
      lr = (float) (h.has("lr") ? h.get("lr").asDouble() : 1e-3);
      AdamOptions options =
          AdamOptions.ADAM_DEFAULTS
              .withLr(h.has("lr") ? h.get("lr").asDouble() : 1e-3)
              .withBetas(betas[0], betas[1])
              .withEps(h.has("eps") ? h.get("eps").asDouble() : 1e-8)
              .withWeightDecay(wd)
              .withAmsgrad(h.has("amsgrad") && h.get("amsgrad").asBoolean());
      optimizer = adamW ? new AdamW(options) : new Adam(options);
      ParamGroup<AdamOptions> group = optimizer.group(0);
      group.setStatePrecision(precision(c, library, cls, h));
      bf16 = c.get("param_dtype").asText().equals("bfloat16");
      if (h.has("bf16_stochastic_round") && h.get("bf16_stochastic_round").asBoolean()) {
        group.setBf16Rounding(Bf16Rounding.STOCHASTIC);
        optimizer.setGivenNoise(this::noise);
      }
      JsonNode shapes = c.get("shapes");
      sizes = new int[shapes.size()];
      offsets = new int[shapes.size() + 1];
      for (int j = 0; j < sizes.length; j++) {
        long[] shape =
            GoldenFiles.ints(shapes.get(j)).length == 0 ? new long[0] : longs(shapes.get(j));
        int n = 1;
        for (long d : shape) {
          n *= (int) d;
        }
        sizes[j] = n;
        offsets[j + 1] = offsets[j] + n;
        MemorySegment value = arena.allocate((long) n * (bf16 ? 2 : 4), 64);
        MemorySegment grad = arena.allocate((long) n * 4, 64);
        values.add(value);
        grads.add(grad);
        if (bf16) {
          group.addBf16(value, grad, shape);
        } else {
          group.add(value, grad, shape);
        }
      }
      steps = c.get("steps").asInt();
      setParameters(GoldenFiles.floats(c.get("init")));
    }

    private static long[] longs(JsonNode shape) {
      int[] ints = GoldenFiles.ints(shape);
      long[] out = new long[ints.length];
      for (int i = 0; i < ints.length; i++) {
        out[i] = ints[i];
      }
      return out;
    }

    private static StatePrecision precision(JsonNode c, String library, String cls, JsonNode h) {
      if (library.equals("bitsandbytes")) {
        long min = h.has("min_8bit_size") ? h.get("min_8bit_size").asLong() : 4096;
        return StatePrecision.bitsandbytes8bit().withMinQuantizedSize(min);
      }
      long min = c.has("min_quant_size") ? c.get("min_quant_size").asLong() : 4096;
      StatePrecision p =
          switch (cls) {
            case "_AdamW" -> StatePrecision.BF16; // its plain state, for bfloat16 parameters
            case "Adam8bit", "AdamW8bit" -> StatePrecision.torchao8bit();
            case "Adam4bit", "AdamW4bit" -> StatePrecision.torchao4bit();
            case "AdamFp8", "AdamWFp8" -> StatePrecision.torchaoFp8();
            default -> throw new IllegalArgumentException("no torchao class " + cls);
          };
      if (!p.format().quantized()) {
        return p;
      }
      p = p.withMinQuantizedSize(min);
      return h.has("block_size") ? p.withBlockSize(h.get("block_size").asInt()) : p;
    }

    /** The case's noise of step {@code step} for tensor {@code j}, as unsigned shorts. */
    private MemorySegment noise(int j, long step) {
      JsonNode row = c.get("noise").get((int) step - 1);
      MemorySegment out = arena.allocate(2L * sizes[j], 64);
      for (int i = 0; i < sizes[j]; i++) {
        out.setAtIndex(JAVA_SHORT, i, (short) row.get(offsets[j] + i).asInt());
      }
      return out;
    }

    void setParameters(float[] all) {
      for (int j = 0; j < sizes.length; j++) {
        for (int i = 0; i < sizes[j]; i++) {
          float v = all[offsets[j] + i];
          if (bf16) {
            values.get(j).setAtIndex(JAVA_SHORT, i, (short) (Float.floatToRawIntBits(v) >>> 16));
          } else {
            values.get(j).setAtIndex(JAVA_FLOAT, i, v);
          }
        }
      }
    }

    float[] parameters() {
      float[] out = new float[offsets[sizes.length]];
      for (int j = 0; j < sizes.length; j++) {
        for (int i = 0; i < sizes[j]; i++) {
          out[offsets[j] + i] =
              bf16
                  ? Float.intBitsToFloat(values.get(j).getAtIndex(JAVA_SHORT, i) << 16)
                  : values.get(j).getAtIndex(JAVA_FLOAT, i);
        }
      }
      return out;
    }

    void step(int k) {
      float[] g = GoldenFiles.floats(c.get("grads").get(k));
      for (int j = 0; j < sizes.length; j++) {
        MemorySegment.copy(g, offsets[j], grads.get(j), JAVA_FLOAT, 0, sizes[j]);
      }
      optimizer.step();
    }

    /**
     * Puts the golden state after step {@code k} (from 1) in place: the parameters, the quantized
     * and bfloat16 buffers; the float32 ones stay the run's own.
     */
    void loadGolden(int k) {
      setParameters(GoldenFiles.floats(c.get("expected").get(k - 1)));
      StateDict now = optimizer.stateDict();
      List<StateDict.ParameterState> parameters = new ArrayList<>();
      JsonNode state = c.get("expected_state").get(k - 1);
      for (int j = 0; j < sizes.length; j++) {
        StateDict.ParameterState p = now.parameters().get(j);
        Map<String, MemorySegment> buffers = new LinkedHashMap<>(p.buffers());
        Map<String, MemorySegment> scales = new LinkedHashMap<>(p.scales());
        state
            .get(j)
            .fields()
            .forEachRemaining(
                e -> {
                  JsonNode b = e.getValue();
                  if (b == null || b.isNull() || b.has("values")) {
                    return; // float32: the run's own
                  }
                  if (b.has("bf16")) {
                    buffers.put(e.getKey(), bytes(b.get("bf16").asText(), true));
                  } else {
                    buffers.put(e.getKey(), bytes(b.get("codes").asText(), false));
                    float[] s = GoldenFiles.floats(b.get("scale"));
                    scales.put(e.getKey(), arena.allocateFrom(JAVA_FLOAT, s));
                  }
                });
        parameters.add(
            new StateDict.ParameterState(
                p.count(), p.shape(), null, p.bf16(), buffers, scales, null, k, p.numbers()));
      }
      optimizer.loadStateDict(new StateDict(now.rule(), k, now.groups(), parameters));
    }

    /** Hex as bytes; bfloat16 hex is big-endian per element, the segment native. */
    private MemorySegment bytes(String hex, boolean bf16Values) {
      byte[] raw = HEX.parseHex(hex);
      MemorySegment out = arena.allocate(Math.max(1, raw.length), 64).asSlice(0, raw.length);
      if (bf16Values) {
        for (int i = 0; i < raw.length / 2; i++) {
          out.setAtIndex(
              JAVA_SHORT, i, (short) ((raw[2 * i] & 0xFF) << 8 | (raw[2 * i + 1] & 0xFF)));
        }
      } else {
        MemorySegment.copy(raw, 0, out, JAVA_BYTE, 0, raw.length);
      }
      return out;
    }

    @Override
    public void close() {
      optimizer.close();
      arena.close();
    }
  }

  private static void levelA(JsonNode c) {
    String id = c.get("id").asText();
    try (Run run = new Run(c)) {
      float[] previous = GoldenFiles.floats(c.get("init"));
      for (int k = 1; k <= run.steps; k++) {
        if (k > 1) {
          run.loadGolden(k - 1);
        }
        run.step(k - 1);
        String at = id + ", step " + k;
        float[] expected = GoldenFiles.floats(c.get("expected").get(k - 1));
        checkParameters(run, at, previous, expected, run.parameters(), c.get("fragile").get(k - 1));
        checkState(run, at, c.get("expected_state").get(k - 1), c.get("fragile").get(k - 1), k);
        previous = expected;
      }
    }
  }

  private static void checkParameters(
      Run run, String at, float[] previous, float[] expected, float[] got, JsonNode fragile) {
    for (int j = 0; j < run.sizes.length; j++) {
      int from = run.offsets[j];
      int n = run.sizes[j];
      if (run.bf16) {
        JsonNode f = fragile.get(j).get("param");
        checkValues(at + ", tensor " + j + " param", expected, got, from, n, f);
        continue;
      }
      double maxD = 0;
      for (int i = 0; i < n; i++) {
        maxD = Math.max(maxD, Math.abs(expected[from + i] - previous[from + i]));
      }
      for (int i = 0; i < n; i++) {
        double d = Math.abs(expected[from + i] - previous[from + i]);
        double bound =
            TOLERANCE.get("p_abs").asDouble() * Math.abs(previous[from + i])
                + TOLERANCE.get("p_rel").asDouble() * d
                + TOLERANCE.get("p_tensor").asDouble() * maxD;
        double error = Math.abs(got[from + i] - expected[from + i]);
        if (!(error <= bound)) {
          fail(
              at
                  + ", tensor "
                  + j
                  + " param["
                  + i
                  + "]: "
                  + got[from + i]
                  + ", golden "
                  + expected[from + i]
                  + " (bound "
                  + bound
                  + ")");
        }
      }
    }
  }

  /** bfloat16 values by value, anything from lo to hi at a fragile element. */
  private static void checkValues(
      String what, float[] expected, float[] got, int from, int n, JsonNode fragile) {
    Map<Integer, float[]> window = window(fragile);
    for (int i = 0; i < n; i++) {
      float g = got[from + i];
      float e = expected[from + i];
      float[] w = window.get(i);
      boolean ok = w != null ? g >= w[0] && g <= w[1] : g == e || (g != g && e != e);
      if (!ok) {
        fail(what + "[" + i + "]: " + g + ", golden " + e + (w == null ? "" : " (fragile)"));
      }
    }
  }

  private static Map<Integer, float[]> window(JsonNode fragile) {
    Map<Integer, float[]> window = new LinkedHashMap<>();
    if (fragile != null) {
      for (int x = 0; x < fragile.get("i").size(); x++) {
        window.put(
            fragile.get("i").get(x).asInt(),
            new float[] {
              (float) fragile.get("lo").get(x).asDouble(),
              (float) fragile.get("hi").get(x).asDouble()
            });
      }
    }
    return window;
  }

  private static void checkState(Run run, String at, JsonNode expected, JsonNode fragile, int k) {
    StateDict state = run.optimizer.stateDict();
    for (int j = 0; j < run.sizes.length; j++) {
      StateDict.ParameterState p = state.parameters().get(j);
      int tensor = j;
      expected
          .get(j)
          .fields()
          .forEachRemaining(
              e -> {
                JsonNode b = e.getValue();
                String what = at + ", tensor " + tensor + " " + e.getKey();
                JsonNode f = fragile.get(tensor).get(e.getKey());
                MemorySegment got = p.buffers().get(e.getKey());
                if (b == null || b.isNull()) {
                  return;
                }
                if (b.has("values")) {
                  checkFloat32State(what, GoldenFiles.floats(b.get("values")), got);
                } else if (b.has("bf16")) {
                  float[] golden = bf16(HEX.parseHex(b.get("bf16").asText()));
                  float[] mine = new float[golden.length];
                  for (int i = 0; i < mine.length; i++) {
                    mine[i] = Float.intBitsToFloat(got.getAtIndex(JAVA_SHORT, i) << 16);
                  }
                  checkValues(what, golden, mine, 0, golden.length, f);
                } else {
                  StateDict.Encoding encoding = state.encoding(tensor, e.getKey());
                  checkCodes(
                      what,
                      encoding,
                      run.c.get("library").asText().equals("bitsandbytes"),
                      HEX.parseHex(b.get("codes").asText()),
                      GoldenFiles.floats(b.get("scale")),
                      got,
                      p.scales().get(e.getKey()),
                      f,
                      (int) p.count());
                }
              });
    }
  }

  private static float[] bf16(byte[] raw) {
    float[] out = new float[raw.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat(((raw[2 * i] & 0xFF) << 8 | (raw[2 * i + 1] & 0xFF)) << 16);
    }
    return out;
  }

  private static void checkFloat32State(String what, float[] golden, MemorySegment got) {
    double max = 0;
    for (float x : golden) {
      max = Math.max(max, Math.abs(x));
    }
    for (int i = 0; i < golden.length; i++) {
      float g = got.getAtIndex(JAVA_FLOAT, i);
      double bound = 1e-5 * Math.abs(golden[i]) + 1e-6 * max;
      if (!(Math.abs(g - golden[i]) <= bound)) {
        fail(what + "[" + i + "]: " + g + ", golden " + golden[i] + " (bound " + bound + ")");
      }
    }
  }

  private static void checkCodes(
      String what,
      StateDict.Encoding encoding,
      boolean bitsandbytes,
      byte[] goldenCodes,
      float[] goldenScales,
      MemorySegment codes,
      MemorySegment scales,
      JsonNode fragile,
      int n) {
    int block = bitsandbytes ? 256 : n / goldenScales.length;
    for (int b = 0; b < goldenScales.length; b++) {
      float s = scales.getAtIndex(JAVA_FLOAT, b);
      if (!(Math.abs(s - goldenScales[b])
          <= TOLERANCE.get("scale_rel").asDouble() * goldenScales[b])) {
        fail(what + " scale[" + b + "]: " + s + ", golden " + goldenScales[b]);
      }
    }
    Map<Integer, float[]> window = window(fragile);
    for (int i = 0; i < n; i++) {
      if (bitsandbytes && goldenScales[i / block] == 0) {
        continue; // codes of an all-zero block read as ±0 whatever they are
      }
      int g = code(encoding, codes, i);
      int e = code(encoding, goldenCodes, i);
      float[] w = window.get(i);
      boolean ok;
      if (encoding == StateDict.Encoding.FLOAT8_E4M3) { // by the value the code stands for
        ok =
            w != null
                ? e4m3Order(g) >= e4m3Order((int) w[0]) && e4m3Order(g) <= e4m3Order((int) w[1])
                : e4m3Order(g) == e4m3Order(e);
      } else {
        ok = w != null ? g >= w[0] && g <= w[1] : g == e;
      }
      if (!ok) {
        fail(what + " code[" + i + "]: " + g + ", golden " + e + (w == null ? "" : " (fragile)"));
      }
    }
  }

  private static int code(StateDict.Encoding encoding, MemorySegment codes, int i) {
    if (encoding == StateDict.Encoding.CODES_4BIT) {
      int b = codes.get(JAVA_BYTE, i / 2) & 0xFF;
      return i % 2 == 0 ? b >>> 4 : b & 0xF;
    }
    return codes.get(JAVA_BYTE, i) & 0xFF;
  }

  private static int code(StateDict.Encoding encoding, byte[] codes, int i) {
    return code(encoding, MemorySegment.ofArray(codes), i);
  }

  /** float8 codes in the order of their values; +0 and −0 the same. */
  private static int e4m3Order(int code) {
    return (code & 0x80) != 0 ? -(code & 0x7F) : code & 0x7F;
  }

  private static void levelB(JsonNode c) {
    String id = c.get("id").asText();
    try (Run run = new Run(c)) {
      float[] init = GoldenFiles.floats(c.get("init"));
      float[][] expected = new float[run.steps][];
      for (int k = 0; k < run.steps; k++) {
        expected[k] = GoldenFiles.floats(c.get("expected").get(k));
      }
      for (int k = 1; k <= run.steps; k++) {
        run.step(k - 1);
        String at = id + ", step " + k;
        float[] got = run.parameters();
        for (int j = 0; j < run.sizes.length; j++) {
          int from = run.offsets[j];
          int n = run.sizes[j];
          double maxD = 0;
          for (float[] row : expected) {
            for (int i = 0; i < n; i++) {
              maxD = Math.max(maxD, Math.abs(row[from + i] - init[from + i]));
            }
          }
          int outside = 0;
          for (int i = 0; i < n; i++) {
            float e = expected[k - 1][from + i];
            float g = got[from + i];
            if (run.bf16) {
              if (Math.abs(bf16Ordinal(g) - bf16Ordinal(e)) > 1) {
                outside++;
              }
              continue;
            }
            double tight = 1e-6 * Math.max(1, maxD) + 1e-5 * Math.abs(e);
            double error = Math.abs(g - e);
            assertTrue(
                error <= tight + run.lr,
                () -> at + ", param[" + (from) + "…]: " + g + ", golden " + e + " beyond lr");
            if (error > tight) {
              outside++;
            }
          }
          int off = outside;
          assertTrue(
              off <= 0.01 * n,
              () -> at + ", tensor " + ": " + off + " of " + n + " parameters off the tight bound");
        }
        checkCodesFreeRunning(run, at, c.get("expected_state").get(k - 1));
      }
    }
  }

  private static int bf16Ordinal(float x) {
    int u = Float.floatToRawIntBits(x) >>> 16;
    return (u & 0x8000) != 0 ? -(u & 0x7FFF) : u;
  }

  /** At most 1 % of each quantized buffer's codes differ from the golden ones. */
  private static void checkCodesFreeRunning(Run run, String at, JsonNode expected) {
    StateDict state = run.optimizer.stateDict();
    boolean bitsandbytes = run.c.get("library").asText().equals("bitsandbytes");
    for (int j = 0; j < run.sizes.length; j++) {
      StateDict.ParameterState p = state.parameters().get(j);
      int tensor = j;
      expected
          .get(j)
          .fields()
          .forEachRemaining(
              e -> {
                JsonNode b = e.getValue();
                if (b == null || b.isNull() || !b.has("codes")) {
                  return;
                }
                StateDict.Encoding encoding = state.encoding(tensor, e.getKey());
                byte[] golden = HEX.parseHex(b.get("codes").asText());
                float[] scales = GoldenFiles.floats(b.get("scale"));
                int n = (int) p.count();
                int block = bitsandbytes ? 256 : n / scales.length;
                int differ = 0;
                int compared = 0;
                for (int i = 0; i < n; i++) {
                  if (bitsandbytes && scales[i / block] == 0) {
                    continue;
                  }
                  compared++;
                  if (code(encoding, p.buffers().get(e.getKey()), i) != code(encoding, golden, i)) {
                    differ++;
                  }
                }
                int d = differ;
                int of = compared;
                assertTrue(
                    d <= 0.01 * of,
                    () ->
                        at
                            + ", tensor "
                            + tensor
                            + " "
                            + e.getKey()
                            + ": "
                            + d
                            + " of "
                            + of
                            + " codes differ");
              });
    }
  }
}
