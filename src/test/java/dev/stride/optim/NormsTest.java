package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The reduction over an optimizer's tensors: the same bits for any thread count, per tensor and
 * together, close to the exact norm, and the same as the norm clipping uses.
 */
class NormsTest {
  private static final double[] NORM_TYPES = {2, 1, Double.POSITIVE_INFINITY, 3, 0.5};

  @Property(tries = 15)
  void normsAreTheSameOnAnyThreadCount(
      @ForAll("lengths") List<Integer> lengths,
      @ForAll long seed,
      @ForAll("threadCounts") int threads) {
    try (Arena arena = Arena.ofShared();
        Sgd one = new Sgd(SgdOptions.of(0.1));
        Sgd many = new Sgd(SgdOptions.of(0.1))) {
      one.setThreads(1);
      many.setThreads(threads);
      SplittableRandom random = new SplittableRandom(seed);
      for (int n : lengths) {
        MemorySegment v = NativeFloats.allocate(arena, n);
        MemorySegment g = NativeFloats.allocate(arena, n);
        for (int i = 0; i < n; i++) {
          v.setAtIndex(JAVA_FLOAT, i, (float) random.nextGaussian());
          g.setAtIndex(
              JAVA_FLOAT, i, (float) (random.nextGaussian() * Math.exp(random.nextInt(-20, 20))));
        }
        one.add(v, g);
        many.add(v.asSlice(0), g.asSlice(0)); // the same memory, read only
      }
      for (double q : NORM_TYPES) {
        Norms a = one.gradientNorms(q);
        Norms b = many.gradientNorms(q);
        assertEquals(a.total(), b.total(), "q = " + q + " on " + threads + " threads");
        for (int j = 0; j < lengths.size(); j++) {
          assertEquals(a.parameter(j), b.parameter(j), "tensor " + j + ", q = " + q);
        }
        assertEquals(one.valueNorms(q).total(), many.valueNorms(q).total(), "values, q = " + q);
      }
    }
  }

  @Example
  void normsAreCloseToTheExactOnesAndToWhatClippingUses() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      List<MemorySegment> grads = new ArrayList<>();
      double[] exact2 = new double[3];
      double max = 0;
      for (int k = 0; k < 3; k++) {
        int n = 20_000 * (k + 1);
        MemorySegment g = NativeFloats.allocate(arena, n);
        for (int i = 0; i < n; i++) {
          float x = (float) Math.sin(i * 0.01 + k) * (k + 1);
          g.setAtIndex(JAVA_FLOAT, i, x);
          exact2[k] += (double) x * x;
          max = Math.max(max, Math.abs(x));
        }
        sgd.add(NativeFloats.allocate(arena, n), g);
        grads.add(g);
      }
      Norms two = sgd.gradientNorms(2);
      for (int k = 0; k < 3; k++) {
        assertEquals(Math.sqrt(exact2[k]), two.parameter(k), 1e-12 * Math.sqrt(exact2[k]));
      }
      assertEquals(Math.sqrt(exact2[0] + exact2[1] + exact2[2]), two.total(), 1e-12 * two.total());
      assertEquals(max, sgd.gradientNorms(Double.POSITIVE_INFINITY).total());
      assertTrue(two.allFinite());
      assertEquals(
          two.total(),
          GradientClipping.clipGradNorm(grads, Double.POSITIVE_INFINITY),
          "the norm clipping computes");
      grads.get(2).setAtIndex(JAVA_FLOAT, 7, Float.NaN);
      assertFalse(sgd.gradientNorms(1).allFinite());
    }
  }

  @Provide
  Arbitrary<List<Integer>> lengths() {
    return Arbitraries.integers()
        .between(1, 50_000)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6)
        .filter(l -> l.stream().mapToInt(Integer::intValue).sum() >= Optimizer.PARALLEL_FROM);
  }

  @Provide
  Arbitrary<Integer> threadCounts() {
    return Arbitraries.of(2, 3, 8);
  }
}
