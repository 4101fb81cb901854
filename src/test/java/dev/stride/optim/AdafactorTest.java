package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Adafactor beyond the golden cases: parameters need their shapes; matrices of several blocks (rows
 * cut by block ends, rows longer than a block, blocks spanning matrices) have the row and column
 * statistics their gradients give and step the same on any thread count; the step's own work
 * allocates nothing; both forms come from PyTorch's keyword arguments.
 */
class AdafactorTest {
  /**
   * Two blocks each ({@link FactoredTensor#BLOCK} = 262,144 floats): rows cut by the block's end;
   * matrices of rows longer than a chunk, the second block starting inside one; one row across both
   * blocks; then many small matrices in one block, and a vector.
   */
  private static final long[][] SHAPES = {
    {600, 500}, {3, 2, 45_000}, {1, 270_000}, {3000, 2, 7}, {5000}
  };

  @Test
  void refusesAParameterWithoutItsShape() {
    try (Arena arena = Arena.ofConfined();
        Adafactor adafactor = new Adafactor(AdafactorOptions.DEFAULTS)) {
      MemorySegment value = NativeFloats.allocate(arena, 6);
      MemorySegment grad = NativeFloats.allocate(arena, 6);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> adafactor.add(value, grad));
      assertTrue(
          e.getMessage().contains("Adafactor") && e.getMessage().contains("add(value, grad, rows"),
          e.getMessage());
      assertEquals(0, adafactor.group(0).size(), "nothing registered");
      adafactor.group(0).add(value, grad, 2, 3);
      assertEquals(1, adafactor.group(0).size());
    }
  }

  /**
   * At step 1 torch's statistics are this step's means exactly (lerp with weight 1): each row's and
   * column's mean of g², to the double sums' float rounding.
   */
  @Test
  void statisticsOfLargeTensorsAreTheirRowAndColumnMeans() {
    try (Arena arena = Arena.ofShared();
        Adafactor adafactor = new Adafactor(AdafactorOptions.DEFAULTS, Kernels.SCALAR)) {
      List<float[]> grads = register(adafactor, arena, 7);
      adafactor.step();
      StateDict state = adafactor.stateDict();
      for (int t = 0; t < SHAPES.length; t++) {
        long[] shape = SHAPES[t];
        float[] g = grads.get(t);
        StateDict.ParameterState p = state.parameters().get(t);
        if (shape.length == 1) {
          float[] variance = NativeFloats.toArray(p.buffers().get("variance"));
          for (int i = 0; i < g.length; i++) {
            assertEquals(g[i] * g[i], variance[i], "variance " + i);
          }
          continue;
        }
        int rows = (int) shape[shape.length - 2];
        int columns = (int) shape[shape.length - 1];
        int matrices = g.length / (rows * columns);
        double[] rowSums = new double[matrices * rows];
        double[] columnSums = new double[matrices * columns];
        for (int e = 0; e < g.length; e++) {
          double square = (double) g[e] * g[e];
          rowSums[e / columns] += square;
          columnSums[e / (rows * columns) * columns + e % columns] += square;
        }
        assertMeans(
            Arrays.toString(shape) + " row_var", rowSums, columns, p.buffers().get("row_var"));
        assertMeans(
            Arrays.toString(shape) + " col_var", columnSums, rows, p.buffers().get("col_var"));
      }
    }
  }

  private static void assertMeans(String what, double[] sums, int n, MemorySegment statistics) {
    float[] got = NativeFloats.toArray(statistics);
    assertEquals(sums.length, got.length, what + "'s length");
    for (int i = 0; i < sums.length; i++) {
      double mean = sums[i] / n;
      assertTrue(
          Math.abs(got[i] - mean) <= 1e-6 * mean, what + "[" + i + "]: " + got[i] + " vs " + mean);
    }
  }

  @Test
  void largeTensorsStepTheSameOnAnyThreadCount() {
    for (boolean transformers : new boolean[] {false, true}) {
      List<int[]> one = run(transformers, 1);
      for (int threads : new int[] {3}) {
        List<int[]> many = run(transformers, threads);
        for (int k = 0; k < one.size(); k++) {
          assertArrayEquals(
              one.get(k),
              many.get(k),
              (transformers ? "transformers" : "torch")
                  + " on "
                  + threads
                  + " threads, array "
                  + k);
        }
      }
    }
  }

  /** The bits of every value and statistic after two steps on {@code threads} threads. */
  private static List<int[]> run(boolean transformers, int threads) {
    try (Arena arena = Arena.ofShared();
        Optimizer<?> o =
            transformers
                ? new TransformersAdafactor(
                    TransformersAdafactorOptions.DEFAULTS.withBeta1(0.9).withWeightDecay(0.01),
                    Kernels.SCALAR)
                : new Adafactor(AdafactorOptions.DEFAULTS.withWeightDecay(0.01), Kernels.SCALAR)) {
      o.setThreads(threads);
      List<float[]> grads = register(o, arena, 11);
      o.step();
      o.step();
      List<int[]> out = new ArrayList<>();
      for (Parameter p : o.group(0).parameters()) {
        out.add(p.value.toArray(ValueLayout.JAVA_INT));
        for (int k = 0; k < p.stateSlots(); k++) {
          out.add(p.state(k).toArray(ValueLayout.JAVA_INT));
        }
      }
      assertEquals(SHAPES.length, grads.size());
      return out;
    }
  }

  /** {@link #SHAPES} in one group, with values and gradients drawn from {@code seed}. */
  private static List<float[]> register(Optimizer<?> o, Arena arena, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<float[]> grads = new ArrayList<>();
    for (long[] shape : SHAPES) {
      int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
      float[] value = new float[n];
      float[] grad = new float[n];
      for (int i = 0; i < n; i++) {
        value[i] = (float) random.nextGaussian();
        grad[i] = i % 97 == 0 ? 0 : (float) (random.nextGaussian() * 1e-2);
      }
      o.group(0).add(NativeFloats.of(arena, value), NativeFloats.of(arena, grad), shape);
      grads.add(grad);
    }
    return grads;
  }

  /**
   * The step's own work (the blocks, sums, statistics and factors of {@link FactoredTensor}, the
   * passes) allocates nothing once compiled, in both forms (transformers' with its first moment,
   * clipping and relative step), over matrices, a 3-D tensor and a vector on the calling thread.
   * With the scalar kernels: on the Xeon of 2026-12-07 the vector sums' float-to-double widening
   * ({@code ReduceVector.sumOfSquares}, {@code AdafactorVector.sumOfUpdateSquares}) was boxed
   * inside a step, about 150 KB per step here; the benchmarks' B/call report it.
   */
  @Test
  void theStepsOwnWorkAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[][] shapes = {{64, 48}, {3, 8, 16}, {100}};
    for (boolean transformers : new boolean[] {false, true}) {
      try (Arena arena = Arena.ofConfined();
          Optimizer<?> o =
              transformers
                  ? new TransformersAdafactor(
                      TransformersAdafactorOptions.DEFAULTS.withBeta1(0.9).withWeightDecay(0.01),
                      Kernels.SCALAR)
                  : new Adafactor(
                      AdafactorOptions.DEFAULTS.withWeightDecay(0.01), Kernels.SCALAR)) {
        for (long[] shape : shapes) {
          int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
          o.group(0)
              .add(
                  NativeFloats.of(arena, NativeFloats.ramp(n, -1, 0.01f)),
                  NativeFloats.of(arena, NativeFloats.ramp(n, -0.5f, 1e-3f)),
                  shape);
        }
        long allocated = 0;
        for (int step = 0; step < 20_000; step++) { // until the JIT has compiled it
          long before = threads.getCurrentThreadAllocatedBytes();
          o.step();
          allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(
            0, allocated, (transformers ? "transformers" : "torch") + ": bytes of the last step");
      }
    }
  }

  /** Factored state has each tensor's shape: a slab's flat ranges and shards cannot hold it. */
  @Test
  void slabsAndShardsAreRefused() {
    try (Arena arena = Arena.ofConfined();
        Adafactor adafactor = new Adafactor(AdafactorOptions.DEFAULTS)) {
      ParameterSlab slab = ParameterSlab.builder().tensor("w", 4, 8).allocate(arena);
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "which a slab's tensors cannot hold",
          () -> adafactor.add(slab));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "which a shard cannot hold",
          () -> adafactor.setShard(slab.shard(0, 2), AllReduce.inProcess(1).getFirst()));
    }
  }

  @Test
  void bothFormsComeFromPyTorchsKeywordArguments() {
    try (Optimizer<?> torch =
            PyTorchOptimizers.create(
                "Adafactor",
                Map.of("lr", 0.02, "eps", Arrays.asList(null, 1e-2), "maximize", true));
        Optimizer<?> transformers =
            PyTorchOptimizers.create(
                "transformers.Adafactor",
                Map.of("lr", 1e-3, "relative_step", false, "scale_parameter", false))) {
      AdafactorOptions t = assertInstanceOf(Adafactor.class, torch).group(0).hyperparameters();
      assertEquals(
          AdafactorOptions.DEFAULTS.withLr(0.02).withEps(Double.NaN, 1e-2).withMaximize(true), t);
      assertEquals(Math.ulp(1f), t.effectiveEps1());
      assertEquals(
          TransformersAdafactorOptions.fixedLr(1e-3),
          assertInstanceOf(TransformersAdafactor.class, transformers).group(0).hyperparameters());
      assertEquals(Arrays.asList(null, 1e-2), t.toPyTorch().get("eps"));
      assertNull(TransformersAdafactorOptions.DEFAULTS.toPyTorch().get("lr"));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> PyTorchOptimizers.create("Adafactor", Map.of("relative_step", true)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PyTorchOptimizers.create("transformers.Adafactor", Map.of("lr", 1e-3)));
    assertTrue(e.getMessage().contains("relative_step"), e.getMessage());
  }

  /** The rule's state keys and shapes, as PyTorch's and transformers' state_dicts hold them. */
  @Test
  void stateShapesAreTheReferences() {
    long[] matrix = {4, 3, 5};
    assertArrayEquals(new long[] {4, 3, 1}, Adafactor.RULE.stateShape("row_var", matrix));
    assertArrayEquals(new long[] {4, 1, 5}, Adafactor.RULE.stateShape("col_var", matrix));
    assertNull(Adafactor.RULE.stateShape("variance", matrix));
    assertArrayEquals(new long[] {5}, Adafactor.RULE.stateShape("variance", new long[] {5}));
    assertArrayEquals(
        new long[] {4, 3}, TransformersAdafactor.RULE.stateShape("exp_avg_sq_row", matrix));
    assertArrayEquals(
        new long[] {4, 5}, TransformersAdafactor.RULE.stateShape("exp_avg_sq_col", matrix));
    assertArrayEquals(matrix, TransformersAdafactor.RULE.stateShape("exp_avg", matrix));
    assertEquals(
        List.of("exp_avg_sq", "exp_avg"),
        TransformersAdafactor.RULE.buffersFor(
            TransformersAdafactorOptions.DEFAULTS.withBeta1(0.9), new long[] {7}));
    assertEquals(
        List.of("row_var", "col_var"),
        Adafactor.RULE.buffersFor(AdafactorOptions.DEFAULTS, new long[] {2, 7}));
    // a 2-D tensor of one row: [1, C] keeps 1 + C floats
    try (Arena arena = Arena.ofConfined();
        Adafactor adafactor = new Adafactor(AdafactorOptions.DEFAULTS)) {
      MemorySegment v = NativeFloats.of(arena, 1, 2, 3);
      MemorySegment g = NativeFloats.of(arena, 0.5f, 0, -1);
      adafactor.group(0).add(v, g, 1, 3);
      adafactor.step();
      StateDict.ParameterState p = adafactor.stateDict().parameters().get(0);
      assertEquals(1 * Float.BYTES, p.buffers().get("row_var").byteSize());
      assertEquals(3 * Float.BYTES, p.buffers().get("col_var").byteSize());
      assertEquals(0.25f, p.buffers().get("col_var").getAtIndex(JAVA_FLOAT, 0));
    }
  }
}
