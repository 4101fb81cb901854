package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.golden.GoldenTolerance;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * EMA and SWA follow torch 1.13's {@code AveragedModel} ({@code golden-extra/averaging.json}, made
 * by {@code gen_averaging.py}), fold only every k steps when asked, give the same bits on any
 * number of threads, swap with the parameters exactly, and refuse what they cannot do.
 */
class WeightAverageTest {
  private final Arena arena = Arena.ofShared();

  @AfterEach
  void close() {
    arena.close();
  }

  @TestFactory
  Stream<DynamicTest> followsPyTorchsAveragedModel() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty(GoldenFiles.DIR_PROPERTY) == null,
        "with "
            + GoldenFiles.DIR_PROPERTY
            + " set, the reference files of that directory are replayed");
    return GoldenFiles.cases("golden-extra", "averaging.json").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private void replay(JsonNode c) {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      List<MemorySegment> values = new ArrayList<>();
      for (JsonNode n : c.get("shapes")) {
        MemorySegment value = NativeFloats.allocate(arena, n.asInt());
        sgd.add(value, NativeFloats.allocate(arena, n.asInt()));
        values.add(value);
      }
      int updates = c.get("values").size();
      float[][] expected = new float[updates][];
      float[][] got = new float[updates][];
      try (WeightAverage average =
          c.get("kind").asText().equals("ema")
              ? WeightAverage.ema(sgd, c.get("decay").asDouble())
              : WeightAverage.swa(sgd)) {
        for (int k = 0; k < updates; k++) {
          float[] all = GoldenFiles.floats(c.get("values").get(k));
          int at = 0;
          for (MemorySegment v : values) {
            int n = (int) (v.byteSize() / Float.BYTES);
            MemorySegment.copy(all, at, v, ValueLayout.JAVA_FLOAT, 0, n);
            at += n;
          }
          sgd.step(); // gradients 0: the values stay, and the step count moves on
          assertTrue(average.update());
          got[k] = concatenated(average.averages());
          expected[k] = GoldenFiles.floats(c.get("expected_f32").get(k));
        }
        assertEquals(updates, average.updates());
      }
      GoldenTolerance.assertWithin(
          c.get("id").asText(),
          expected,
          got,
          GoldenTolerance.displacement(GoldenFiles.floats(c.get("values").get(0)), expected),
          k -> "update " + (k + 1));
    }
  }

  @Test
  void foldsOnlyAfterStepsThatAreMultiplesOfEvery() {
    try (Sgd sgd = sgd(new int[] {10});
        WeightAverage swa = WeightAverage.swa(sgd).every(3)) {
      List<Boolean> folded = new ArrayList<>();
      for (int s = 0; s < 7; s++) {
        sgd.step();
        folded.add(swa.update());
      }
      assertEquals(List.of(false, false, true, false, false, true, false), folded);
      assertEquals(2, swa.updates());
    }
  }

  @Test
  void foldsOncePerStepAndNotAfterASkippedOne() {
    try (Sgd sgd = sgd(new int[] {10});
        WeightAverage ema = WeightAverage.ema(sgd, 0.5)) {
      sgd.step();
      assertTrue(ema.update());
      assertFalse(ema.update(), "a second call before the next step");
      sgd.setSkipNonFinite(true);
      MemorySegment grad = sgd.group(0).parameters().get(0).grad;
      grad.setAtIndex(ValueLayout.JAVA_FLOAT, 3, Float.NaN);
      assertFalse(sgd.step());
      assertFalse(ema.update(), "after a skipped step");
      assertEquals(1, ema.updates());
      assertEquals(1, ema.lastFold());
    }
  }

  @Test
  void theSameBitsOnAnyThreadCount() {
    int[] lengths = {40_000, 50_000, 7};
    List<int[]> one = averaged(lengths, 1);
    for (int threads : new int[] {2, 3}) {
      List<int[]> many = averaged(lengths, threads);
      for (int k = 0; k < one.size(); k++) {
        assertArrayEquals(one.get(k), many.get(k), threads + " threads, average " + k);
      }
    }
  }

  /** The bits of an EMA and an SWA after five steps on {@code threads} threads. */
  private List<int[]> averaged(int[] lengths, int threads) {
    try (Sgd sgd = sgd(lengths);
        WeightAverage ema = WeightAverage.ema(sgd, 0.99);
        WeightAverage swa = WeightAverage.swa(sgd)) {
      sgd.setThreads(threads);
      for (int s = 0; s < 5; s++) {
        sgd.step();
        ema.update();
        swa.update();
      }
      List<int[]> out = new ArrayList<>();
      for (WeightAverage a : List.of(ema, swa)) {
        a.averages().forEach(m -> out.add(m.toArray(ValueLayout.JAVA_INT)));
      }
      return out;
    }
  }

  @Test
  void swapExchangesTheParametersAndTheAveragesExactly() {
    try (Sgd sgd = sgd(new int[] {StepPlan.CHUNK * 2 + 5, 3});
        WeightAverage ema = WeightAverage.ema(sgd, 0.5)) {
      sgd.step();
      ema.update();
      sgd.step();
      ema.update();
      List<int[]> values = values(sgd);
      List<int[]> averages =
          ema.averages().stream().map(m -> m.toArray(ValueLayout.JAVA_INT)).toList();
      ema.swap();
      assertBits(averages, values(sgd));
      assertBits(
          values, ema.averages().stream().map(m -> m.toArray(ValueLayout.JAVA_INT)).toList());
      ema.swap();
      assertBits(values, values(sgd));
    }
  }

  @Test
  void refusals() {
    try (Sgd sgd = sgd(new int[] {4})) {
      assertEquals(
          "decay must be in [0, 1], got 1.5",
          assertThrows(IllegalArgumentException.class, () -> WeightAverage.ema(sgd, 1.5))
              .getMessage());
      assertEquals(
          "decay must be in [0, 1], got NaN",
          assertThrows(IllegalArgumentException.class, () -> WeightAverage.ema(sgd, Double.NaN))
              .getMessage());
      WeightAverage swa = WeightAverage.swa(sgd);
      assertEquals(
          "every must be > 0, got 0",
          assertThrows(IllegalArgumentException.class, () -> swa.every(0)).getMessage());
      IllegalArgumentException sizes =
          assertThrows(
              IllegalArgumentException.class,
              () -> swa.restore(1, 0, List.of(NativeFloats.allocate(arena, 5))));
      assertEquals("parameter 0 has 4 floats, its saved average 5", sizes.getMessage());
      sgd.add(NativeFloats.allocate(arena, 2), NativeFloats.allocate(arena, 2));
      assertTrue(
          assertThrows(IllegalStateException.class, swa::update)
              .getMessage()
              .contains("parameters were registered after this average was made"));
      assertEquals(0, swa.updates());
      swa.close();
      assertEquals(
          "this weight average is closed",
          assertThrows(IllegalStateException.class, swa::averages).getMessage());
      assertEquals(WeightAverage.Kind.SWA, swa.kind());
    }
  }

  /** SGD at rate 0.1 over parameters of these lengths, with fixed random values and gradients. */
  private Sgd sgd(int[] lengths) {
    Sgd sgd = new Sgd(SgdOptions.of(0.1));
    SplittableRandom random = new SplittableRandom(lengths.length);
    for (int n : lengths) {
      float[] value = new float[n];
      float[] grad = new float[n];
      for (int i = 0; i < n; i++) {
        value[i] = (float) random.nextGaussian();
        grad[i] = (float) random.nextGaussian();
      }
      sgd.add(NativeFloats.of(arena, value), NativeFloats.of(arena, grad));
    }
    return sgd;
  }

  private static List<int[]> values(Optimizer<?> o) {
    List<int[]> out = new ArrayList<>();
    o.groups()
        .forEach(g -> g.parameters().forEach(p -> out.add(p.value.toArray(ValueLayout.JAVA_INT))));
    return out;
  }

  private static void assertBits(List<int[]> expected, List<int[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int k = 0; k < expected.size(); k++) {
      assertArrayEquals(expected.get(k), actual.get(k), "tensor " + k);
    }
  }

  private static float[] concatenated(List<MemorySegment> segments) {
    return segments.stream()
        .map(NativeFloats::toArray)
        .reduce(
            (a, b) -> {
              float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
              System.arraycopy(b, 0, c, a.length, b.length);
              return c;
            })
        .orElse(new float[0]);
  }
}
