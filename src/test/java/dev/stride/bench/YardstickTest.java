package dev.stride.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmarks' C yardstick: its steps are the float[] loops' (PyTorch's formulas), its
 * memory-only kernel is the Java one to the bit, on any thread count; without a compiler it says
 * why.
 */
class YardstickTest {
  private static final int N = 100_003; // odd: the vector loops' tails run too

  @TempDir Path dir;

  private Yardstick built() {
    Yardstick.Build build = Yardstick.build(dir, "");
    assumeTrue(build.library() != null, build.describe());
    return new Yardstick(build.library());
  }

  private static MemorySegment segment(Arena arena, float[] values) {
    MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
    MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
    return s;
  }

  /**
   * gcc contracts a·b + c into one FMA (-march=native): a rounding apart, not a formula apart,
   * which cancellation magnifies next to the values' own size (their root mean square).
   */
  private static void assertClose(float[] expected, MemorySegment actual, String what) {
    float[] a = actual.toArray(ValueLayout.JAVA_FLOAT);
    double squares = 0;
    for (float e : expected) {
      squares += (double) e * e;
    }
    double rms = Math.sqrt(squares / expected.length);
    for (int i = 0; i < expected.length; i++) {
      double tolerance = 1e-6 * (Math.abs(expected[i]) + rms);
      if (Math.abs(expected[i] - a[i]) > tolerance) {
        throw new AssertionError(what + "[" + i + "]: " + a[i] + ", expected " + expected[i]);
      }
    }
  }

  @Test
  void adamAndAdamWAreTheFloatArrayLoopsPyTorchForm() {
    Yardstick c = built();
    for (boolean decoupled : new boolean[] {false, true}) {
      float weightDecay = decoupled ? Rule.ADAMW_WEIGHT_DECAY : 1e-3f;
      for (int threads : new int[] {1, 2, 3}) {
        float[] p = Data.PARAM.array(N);
        float[] g = Data.GRAD.array(N);
        float[] m = Data.EXP_AVG.array(N);
        float[] v = Data.EXP_AVG_SQ.array(N);
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment ps = segment(arena, p);
          MemorySegment gs = segment(arena, g);
          MemorySegment ms = segment(arena, m);
          MemorySegment vs = segment(arena, v);
          for (long step = 1; step <= 3; step++) {
            TrainerLoops.adam(
                p,
                g,
                m,
                v,
                step,
                Rule.ADAM_LR,
                Rule.BETA1,
                Rule.BETA2,
                Rule.EPS,
                weightDecay,
                decoupled);
            c.adam(
                ps,
                gs,
                ms,
                vs,
                N,
                step,
                Rule.ADAM_LR,
                Rule.BETA1,
                Rule.BETA2,
                Rule.EPS,
                weightDecay,
                decoupled,
                threads);
          }
          String what = (decoupled ? "AdamW" : "Adam") + " on " + threads + " threads: ";
          assertClose(p, ps, what + "p");
          assertClose(m, ms, what + "m");
          assertClose(v, vs, what + "v");
        }
      }
    }
  }

  @Test
  void sgdMomentumIsTheFloatArrayLoopsPyTorchForm() {
    Yardstick c = built();
    for (int threads : new int[] {1, 2}) {
      float[] p = Data.PARAM.array(N);
      float[] g = Data.GRAD.array(N);
      float[] b = Data.EXP_AVG.array(N);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ps = segment(arena, p);
        MemorySegment gs = segment(arena, g);
        MemorySegment bs = segment(arena, b);
        for (int step = 0; step < 3; step++) {
          TrainerLoops.sgdMomentum(p, g, b, Rule.SGD_LR, Rule.MOMENTUM, 0.1f);
          c.sgdMomentum(ps, gs, bs, N, Rule.SGD_LR, Rule.MOMENTUM, 0.1f, threads);
        }
        assertClose(p, ps, "p on " + threads + " threads");
        assertClose(b, bs, "b on " + threads + " threads");
      }
    }
  }

  /** Additions only: no contraction, the same bits as MemoryLimit's vector loop. */
  @Test
  void memoryOnlyKernelIsMemoryLimitsToTheBit() {
    Yardstick c = built();
    for (int buffers = 0; buffers <= 4; buffers++) {
      for (int threads : new int[] {1, 2}) {
        try (MemoryLimit java = new MemoryLimit(N, buffers);
            MemoryLimit inC = new MemoryLimit(N, buffers)) {
          for (int step = 0; step < 2; step++) {
            java.run(0, N);
            inC.runInC(c, threads);
          }
          assertArrayEquals(
              java.param().toArray(ValueLayout.JAVA_FLOAT),
              inC.param().toArray(ValueLayout.JAVA_FLOAT),
              buffers + " buffers on " + threads + " threads");
        }
      }
    }
  }

  @Test
  void anUnchangedSourceReusesItsBuild() {
    Yardstick.Build first = Yardstick.build(dir, "");
    assumeTrue(first.library() != null, first.describe());
    Yardstick.Build second = Yardstick.build(dir, "");
    assertEquals(first.library(), second.library());
    assertTrue(second.describe().contains("-O3 -march=native -fno-math-errno"), second.describe());
  }

  @Test
  void withoutACompilerTheBuildSaysWhy() {
    Yardstick.Build none = Yardstick.build(dir, "none");
    assertNull(none.library());
    assertEquals("no C yardstick: stride.bench.cc=none", none.describe());
    Yardstick.Build missing = Yardstick.build(dir, dir.resolve("no-such-cc").toString());
    assertNull(missing.library());
    assertTrue(missing.describe().contains("no C compiler"), missing.describe());
    assertTrue(missing.describe().contains("no-such-cc"), missing.describe());
    assertNotNull(missing.absence());
  }
}
