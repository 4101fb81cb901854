package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a group's state precision and bfloat16 parameters do through the public API: the state takes
 * the bytes its format says, the default is float32, a bad setting is refused with a message, a
 * snapshot and a reload resume to the bit, and the results are the same on any number of threads,
 * stochastic rounding included.
 */
class StatePrecisionTest {
  private static final List<StatePrecision> PRECISIONS =
      List.of(
          StatePrecision.FP32,
          StatePrecision.BF16,
          StatePrecision.torchao8bit().withMinQuantizedSize(256),
          StatePrecision.torchao4bit().withMinQuantizedSize(256),
          StatePrecision.torchaoFp8().withMinQuantizedSize(256),
          StatePrecision.bitsandbytes8bit().withMinQuantizedSize(256));

  /**
   * Parameters of these sizes: quantized, not whole blocks (torchao: plain), below the threshold.
   */
  private static final int[] SIZES = {1024, 700, 100};

  /** Copies of {@link #SIZES} in the threads' test: more elements than a parallel step's least. */
  private static final int COPIES = 20;

  @Test
  void stateTakesTheBytesOfItsFormat() {
    try (Arena arena = Arena.ofConfined()) {
      for (StatePrecision p : PRECISIONS) {
        try (AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
          adamW.group(0).setStatePrecision(p);
          long expected = 0;
          for (int n : SIZES) {
            adamW.add(NativeFloats.allocate(arena, n), NativeFloats.allocate(arena, n));
            expected += AdamW.RULE.stateBytes(AdamOptions.ADAMW_DEFAULTS, p, n, false);
          }
          adamW.step();
          assertEquals(expected, adamW.stateBytes(), p.toString());
        }
      }
      // 1024 elements: 2 buffers of 8 or 4 bits per element and a float32 scale per block
      AdamOptions h = AdamOptions.ADAMW_DEFAULTS;
      assertEquals(8192, AdamW.RULE.stateBytes(h, StatePrecision.FP32, 1024, false));
      assertEquals(4096, AdamW.RULE.stateBytes(h, StatePrecision.BF16, 1024, false));
      StatePrecision q8 = StatePrecision.torchao8bit();
      assertEquals(8192, AdamW.RULE.stateBytes(h, q8, 1024, false), "below torchao's 4096");
      assertEquals(
          2 * (1024 + 4 * 4), AdamW.RULE.stateBytes(h, q8.withMinQuantizedSize(0), 1024, false));
      assertEquals(
          2 * (512 + 8 * 4),
          AdamW.RULE.stateBytes(
              h, StatePrecision.torchao4bit().withMinQuantizedSize(0), 1024, false));
      assertEquals(
          2 * (1000 + 4 * 4),
          AdamW.RULE.stateBytes(
              h, StatePrecision.bitsandbytes8bit().withMinQuantizedSize(0), 1000, false),
          "a partial last block has its scale");
      assertEquals(
          2 * 2 * 1000,
          AdamW.RULE.stateBytes(h, q8.withMinQuantizedSize(0), 1000, true),
          "not whole blocks: a bfloat16 parameter's plain state is bfloat16");
    }
  }

  @Test
  void float32IsTheDefaultAndStepsAsTheRuleAlwaysHas() {
    try (Arena arena = Arena.ofConfined();
        AdamW plain = new AdamW(AdamOptions.ADAMW_DEFAULTS);
        AdamW set = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      assertEquals(StatePrecision.FP32, plain.group(0).statePrecision());
      assertEquals(Bf16Rounding.NEAREST, plain.group(0).bf16Rounding());
      set.group(0).setStatePrecision(StatePrecision.FP32);
      float[][] out = new float[2][];
      int k = 0;
      for (AdamW a : List.of(plain, set)) {
        MemorySegment w = NativeFloats.of(arena, NativeFloats.ramp(777, -1, 0.003f));
        MemorySegment g = NativeFloats.of(arena, NativeFloats.ramp(777, 0.5f, -0.001f));
        a.add(w, g);
        for (int s = 0; s < 3; s++) {
          a.step();
        }
        out[k++] = NativeFloats.toArray(w);
      }
      assertArrayEquals(out[0], out[1]);
    }
  }

  @Test
  void badSettingsAreRefusedWithAMessage() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.1).withMomentum(0.9));
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS.withAmsgrad(true))) {
      assertMessage(
          IllegalArgumentException.class,
          () -> sgd.group(0).setStatePrecision(StatePrecision.BF16),
          "in float32 only");
      assertMessage(
          IllegalArgumentException.class,
          () -> sgd.group(0).addBf16(arena.allocate(8, 2), NativeFloats.allocate(arena, 4)),
          "float32 parameters only");
      assertMessage(
          IllegalArgumentException.class,
          () -> adamW.group(0).setStatePrecision(StatePrecision.bitsandbytes8bit()),
          "no amsgrad");
      assertMessage(
          IllegalArgumentException.class,
          () -> adamW.group(0).addBf16(arena.allocate(6, 2), NativeFloats.allocate(arena, 4)),
          "same length");
      assertMessage(
          IllegalArgumentException.class,
          () -> StatePrecision.torchao4bit().withBlockSize(63),
          "must be even");
      assertMessage(
          IllegalArgumentException.class,
          () -> StatePrecision.torchao8bit().withBlockSize(0),
          "blockSize");
      assertMessage(
          IllegalArgumentException.class,
          () -> StatePrecision.bitsandbytes8bit().withBlockSize(128),
          "256");
      assertMessage(
          IllegalArgumentException.class,
          () -> StatePrecision.BF16.withBlockSize(128),
          "quantized state");
      adamW.add(NativeFloats.allocate(arena, 300), NativeFloats.allocate(arena, 300));
      adamW.step();
      assertMessage(
          IllegalStateException.class,
          () -> adamW.group(0).setStatePrecision(StatePrecision.BF16),
          "before the group's first step");
    }
  }

  @Test
  void amsgradSwitchedOnUnderBitsandbytesStopsTheStepBeforeAnyWrite() {
    try (Arena arena = Arena.ofConfined();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      adamW.group(0).setStatePrecision(StatePrecision.bitsandbytes8bit());
      MemorySegment w = NativeFloats.of(arena, NativeFloats.ramp(5000, 0, 1e-3f));
      MemorySegment g = NativeFloats.of(arena, NativeFloats.ramp(5000, 1, -1e-4f));
      adamW.add(w, g);
      adamW.step();
      adamW.group(0).setHyperparameters(AdamOptions.ADAMW_DEFAULTS.withAmsgrad(true));
      NativeFloats.Snapshot before = NativeFloats.snapshot(w);
      assertMessage(IllegalStateException.class, adamW::step, "nothing was updated");
      before.assertUnchanged("the parameter after a refused step");
      assertEquals(1, adamW.stepCount());
    }
  }

  @Test
  void bfloat16ParametersRefuseWhatReadsFloat32Values() {
    try (Arena arena = Arena.ofConfined();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      adamW.group(0).addBf16(arena.allocate(2 * 64, 64), NativeFloats.allocate(arena, 64));
      assertMessage(IllegalStateException.class, () -> adamW.valueNorms(2), "is bfloat16");
      assertMessage(
          IllegalStateException.class, () -> WeightAverage.ema(adamW, 0.9), "is bfloat16");
    }
  }

  /**
   * Every precision with stochastic rounding (whose random bits are the ones a thread could get
   * wrong), and a master copy, on 1 and 2 threads: the same bits.
   */
  @Test
  void anyThreadCountGivesTheSameBits() {
    for (StatePrecision p : PRECISIONS) {
      assertArrayEquals(
          train(p, Bf16Rounding.STOCHASTIC, 1, 2, 1e-3, COPIES),
          train(p, Bf16Rounding.STOCHASTIC, 2, 2, 1e-3, COPIES),
          p.toString());
    }
    assertArrayEquals(
        train(PRECISIONS.get(2), Bf16Rounding.FP32_MASTER, 1, 2, 1e-3, COPIES),
        train(PRECISIONS.get(2), Bf16Rounding.FP32_MASTER, 2, 2, 1e-3, COPIES));
  }

  /**
   * Updates a fiftieth of a bfloat16 step: to nearest they round away and nothing moves; rounded
   * stochastically they move some parameters, as their expected sum says; a master copy keeps them.
   */
  @Test
  void stochasticRoundingKeepsUpdatesNearestRoundingLoses() {
    int bf16 = 2 * (1024 + 700 + 100);
    float[] start =
        java.util.Arrays.copyOf(
            train(StatePrecision.BF16, Bf16Rounding.NEAREST, 1, 0, 1e-2, 2), bf16);
    float[] nearest =
        java.util.Arrays.copyOf(
            train(StatePrecision.BF16, Bf16Rounding.NEAREST, 1, 30, 1e-2, 2), bf16);
    float[] stochastic =
        java.util.Arrays.copyOf(
            train(StatePrecision.BF16, Bf16Rounding.STOCHASTIC, 1, 30, 1e-2, 2), bf16);
    float[] master =
        java.util.Arrays.copyOf(
            train(StatePrecision.BF16, Bf16Rounding.FP32_MASTER, 1, 30, 1e-2, 2), bf16);
    assertArrayEquals(start, nearest, "updates below half a bfloat16 step round away to nearest");
    int moved = 0;
    for (int i = 0; i < start.length; i++) {
      if (stochastic[i] != start[i]) {
        moved++;
      }
    }
    int m = moved;
    assertTrue(
        m > start.length / 10 && m < start.length * 9 / 10,
        () -> m + " of " + start.length + " moved");
    assertNotEquals(java.util.Arrays.toString(start), java.util.Arrays.toString(master));
  }

  /**
   * AdamW at rate {@code lr} over {@code copies} times bfloat16 parameters of 1024, 700 and 100
   * elements, each beside float32 ones of as many, from values 64 to 70 (bfloat16 step 0.5), {@code
   * steps} steps on {@code threads} threads: the parameters' float values, the bfloat16 ones first.
   */
  private static float[] train(
      StatePrecision precision,
      Bf16Rounding rounding,
      int threads,
      int steps,
      double lr,
      int copies) {
    try (Arena arena = Arena.ofShared();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(lr))) {
      adamW.setThreads(threads);
      adamW.group(0).setStatePrecision(precision).setBf16Rounding(rounding);
      Random random = new Random(7);
      List<MemorySegment> bf16 = new ArrayList<>();
      List<MemorySegment> f32 = new ArrayList<>();
      List<MemorySegment> grads = new ArrayList<>();
      for (int copy = 0; copy < copies; copy++) {
        for (int n : SIZES) {
          MemorySegment v = arena.allocate(2L * n, 64);
          for (int i = 0; i < n; i++) {
            v.setAtIndex(JAVA_SHORT, i, (short) (Float.floatToRawIntBits(64 + i % 7) >>> 16));
          }
          MemorySegment g = NativeFloats.allocate(arena, n);
          adamW.group(0).addBf16(v, g);
          bf16.add(v);
          grads.add(g);
          MemorySegment w = NativeFloats.of(arena, NativeFloats.ramp(n, -1, 2f / n));
          MemorySegment gw = NativeFloats.allocate(arena, n);
          adamW.add(w, gw);
          f32.add(w);
          grads.add(gw);
        }
      }
      for (int s = 0; s < steps; s++) {
        for (MemorySegment g : grads) {
          float[] row = new float[(int) (g.byteSize() / 4)];
          for (int i = 0; i < row.length; i++) {
            row[i] = random.nextFloat() * 2 - 1;
          }
          MemorySegment.copy(row, 0, g, JAVA_FLOAT, 0, row.length);
        }
        adamW.step();
      }
      List<Float> out = new ArrayList<>();
      for (MemorySegment v : bf16) {
        for (long i = 0; i < v.byteSize() / 2; i++) {
          out.add(Float.intBitsToFloat(v.getAtIndex(JAVA_SHORT, i) << 16));
        }
      }
      for (MemorySegment w : f32) {
        for (float x : NativeFloats.toArray(w)) {
          out.add(x);
        }
      }
      float[] result = new float[out.size()];
      for (int i = 0; i < result.length; i++) {
        result[i] = out.get(i);
      }
      return result;
    }
  }

  /** A snapshot taken mid-run and restored steps on to the bits of the run that never stopped. */
  @Test
  void snapshotRestoresLowBitStateToTheBit() {
    for (StatePrecision p : PRECISIONS) {
      try (Arena arena = Arena.ofConfined();
          AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(1e-2))) {
        adamW.group(0).setStatePrecision(p).setBf16Rounding(Bf16Rounding.STOCHASTIC);
        MemorySegment w = NativeFloats.of(arena, NativeFloats.ramp(1024, -1, 0.002f));
        MemorySegment g = NativeFloats.allocate(arena, 1024);
        MemorySegment v = arena.allocate(2 * 512, 64);
        MemorySegment gv = NativeFloats.allocate(arena, 512);
        adamW.add(w, g);
        adamW.group(0).addBf16(v, gv);
        Random random = new Random(3);
        float[][] grads = new float[6][1536];
        for (float[] row : grads) {
          for (int i = 0; i < row.length; i++) {
            row[i] = (float) random.nextGaussian();
          }
        }
        float[] after = null;
        try (OptimizerSnapshot<AdamOptions> snapshot = stepAndSnapshot(adamW, grads, w, g, gv)) {
          after = state(w, v);
          snapshot.restore();
          for (int s = 3; s < 6; s++) {
            feed(grads[s], g, gv);
            adamW.step();
          }
          assertArrayEquals(after, state(w, v), p + ": resumed from the snapshot");
        }
      }
    }
  }

  private static OptimizerSnapshot<AdamOptions> stepAndSnapshot(
      AdamW adamW, float[][] grads, MemorySegment w, MemorySegment g, MemorySegment gv) {
    for (int s = 0; s < 3; s++) {
      feed(grads[s], g, gv);
      adamW.step();
    }
    OptimizerSnapshot<AdamOptions> snapshot = adamW.snapshot();
    for (int s = 3; s < 6; s++) {
      feed(grads[s], g, gv);
      adamW.step();
    }
    return snapshot;
  }

  private static void feed(float[] row, MemorySegment g, MemorySegment gv) {
    MemorySegment.copy(row, 0, g, JAVA_FLOAT, 0, 1024);
    MemorySegment.copy(row, 1024, gv, JAVA_FLOAT, 0, 512);
  }

  private static float[] state(MemorySegment w, MemorySegment v) {
    float[] out = new float[1024 + 512];
    MemorySegment.copy(w, JAVA_FLOAT, 0, out, 0, 1024);
    for (int i = 0; i < 512; i++) {
      out[1024 + i] = Float.intBitsToFloat(v.getAtIndex(JAVA_SHORT, i) << 16);
    }
    return out;
  }

  private static void assertMessage(
      Class<? extends RuntimeException> type, Runnable call, String part) {
    RuntimeException e = assertThrows(type, call::run);
    assertTrue(e.getMessage().contains(part), () -> "message: " + e.getMessage());
  }
}
