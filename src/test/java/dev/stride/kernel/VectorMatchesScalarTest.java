package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The Vector API kernels compute the scalar reference's bits, and both update exactly the slice
 * they are given. Surefire runs this class at the machine's preferred width (512 bits on AVX-512)
 * and again with {@code -Dstride.vector.bits=128} and {@code 256}.
 *
 * <p>Each try runs every flag combination of the rule on the same data, so no combination depends
 * on the random generator picking it.
 */
class VectorMatchesScalarTest {
  private static final UpdateKernels SCALAR = Kernels.scalar();
  private static final UpdateKernels VECTOR = Kernels.vector();
  private static final int LANES = VECTOR.lanes();
  private static final int MAX_STEPS = 4;

  /**
   * Floats in a buffer of {@code offset + count + slack}, of which the kernels update
   * {@code [offset, offset + count)}; {@code grads[s]} is the gradient buffer of step s.
   */
  record Data(int offset, int count, float[] param, float[][] grads, float[][] state) {
    int length() {
      return param.length;
    }
  }

  /** One rule with fixed flags and hyperparameters, stepped over {@link Buffers}. */
  interface RuleCase {
    /** Takes step {@code s} (from 0) with {@code kernels}. */
    void step(UpdateKernels kernels, Buffers b, int s, Data d);

    /** Which of the three state buffers the rule uses with these flags. */
    boolean usesState(int k);
  }

  /** Native, 64-byte aligned copies of a {@link Data}: what one kernel reads and writes. */
  static final class Buffers {
    final MemorySegment param;
    final MemorySegment grad;
    final MemorySegment[] state = new MemorySegment[3];

    Buffers(Arena arena, Data d, RuleCase rule) {
      param = NativeFloats.of(arena, d.param());
      grad = NativeFloats.allocate(arena, d.length());
      for (int k = 0; k < state.length; k++) {
        // NULL where the rule must not touch the buffer, as the optimizers pass it
        state[k] = rule.usesState(k) ? NativeFloats.of(arena, d.state()[k]) : MemorySegment.NULL;
      }
    }

    /** The buffers a step writes, named for failure messages. */
    List<Named> outputs() {
      List<Named> out = new ArrayList<>();
      out.add(new Named("param", param));
      String[] names = {"state0", "state1", "state2"};
      for (int k = 0; k < state.length; k++) {
        if (state[k] != MemorySegment.NULL) {
          out.add(new Named(names[k], state[k]));
        }
      }
      return out;
    }
  }

  record Named(String name, MemorySegment segment) {}

  record SgdCase(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
      boolean maximize, boolean createsBuffer) implements RuleCase {
    @Override
    public void step(UpdateKernels kernels, Buffers b, int s, Data d) {
      NativeFloats.write(b.grad, d.grads()[s]);
      SgdKernel.Coefficients c = new SgdKernel.Coefficients().set(lr, momentum, dampening, weightDecay, nesterov,
          maximize, createsBuffer && s == 0);
      kernels.sgd().update(c, b.param, b.grad, b.state[0], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0 && momentum != 0;
    }
  }

  record AdamCase(double lr, double beta1, double beta2, double eps, double weightDecay,
      boolean decoupled, boolean amsgrad, boolean maximize, long firstStep) implements RuleCase {
    @Override
    public void step(UpdateKernels kernels, Buffers b, int s, Data d) {
      NativeFloats.write(b.grad, d.grads()[s]);
      AdamKernel.Coefficients c = new AdamKernel.Coefficients().set(lr, beta1, beta2, eps, weightDecay, decoupled,
          amsgrad, maximize, firstStep + s);
      kernels.adam().update(c, b.param, b.grad, b.state[0], b.state[1], b.state[2], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k < 2 || amsgrad;
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record SgdHyper(double lr, double momentum, double dampening, double weightDecay) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          cases.add(new SgdCase(lr, 0, 0, wd, false, maximize, false));
          for (boolean createsBuffer : new boolean[] {true, false}) {
            cases.add(new SgdCase(lr, momentum, 0, wd, false, maximize, createsBuffer));
            cases.add(new SgdCase(lr, momentum, dampening, wd, false, maximize, createsBuffer));
            cases.add(new SgdCase(lr, momentum, 0, wd, true, maximize, createsBuffer));
          }
        }
      }
      return cases;
    }
  }

  record AdamHyper(double lr, double beta1, double beta2, double eps, double weightDecay,
      long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          for (boolean decoupled : new boolean[] {false, true}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
              cases.add(new AdamCase(lr, beta1, beta2, eps, wd, decoupled, amsgrad, maximize,
                  firstStep));
            }
          }
        }
      }
      return cases;
    }
  }

  @Property(tries = 50)
  void sgdVectorMatchesScalarBitForBit(@ForAll("data") Data d, @ForAll("sgd") SgdHyper h) {
    h.allFlagCombinations().forEach(rule -> assertVectorMatchesScalar(rule, d));
  }

  @Property(tries = 50)
  void adamVectorMatchesScalarBitForBit(@ForAll("data") Data d, @ForAll("adam") AdamHyper h) {
    h.allFlagCombinations().forEach(rule -> assertVectorMatchesScalar(rule, d));
  }

  @Property(tries = 15)
  void sgdUpdatesOnlyItsSlice(@ForAll("data") Data d, @ForAll("sgd") SgdHyper h) {
    h.allFlagCombinations().forEach(rule -> assertOnlySliceWritten(rule, d));
  }

  @Property(tries = 15)
  void adamUpdatesOnlyItsSlice(@ForAll("data") Data d, @ForAll("adam") AdamHyper h) {
    h.allFlagCombinations().forEach(rule -> assertOnlySliceWritten(rule, d));
  }

  /** Guards the 128-bit surefire execution: a width property that did not arrive would pass silently. */
  @Example
  void vectorKernelsUseTheConfiguredWidth() {
    String bits = System.getProperty(Kernels.BITS_PROPERTY);
    if (bits != null) {
      assertEquals(Integer.parseInt(bits) / Float.SIZE, LANES);
    } else {
      assertTrue(LANES > 1, "the vector kernels should update more than one float per iteration");
    }
  }

  private static void assertVectorMatchesScalar(RuleCase rule, Data d) {
    try (Arena arena = Arena.ofConfined()) {
      Buffers scalar = new Buffers(arena, d, rule);
      Buffers vector = new Buffers(arena, d, rule);
      for (int s = 0; s < d.grads().length; s++) {
        rule.step(SCALAR, scalar, s, d);
        rule.step(VECTOR, vector, s, d);
        List<Named> expected = scalar.outputs();
        List<Named> actual = vector.outputs();
        for (int k = 0; k < expected.size(); k++) {
          float[] e = NativeFloats.toArray(expected.get(k).segment());
          float[] a = NativeFloats.toArray(actual.get(k).segment());
          for (int i = 0; i < e.length; i++) {
            // floatToIntBits: any NaN equals any NaN (payloads may legally differ), else exact bits
            if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
              fail(String.format("%s, %d lanes, after step %d: %s[%d] is %s (0x%08x) scalar but %s"
                      + " (0x%08x) vector; offset %d, count %d; param was %s, grad %s", rule, LANES,
                  s + 1, expected.get(k).name(), i, e[i], Float.floatToRawIntBits(e[i]), a[i],
                  Float.floatToRawIntBits(a[i]), d.offset(), d.count(), d.param()[i],
                  d.grads()[s][i]));
            }
          }
        }
      }
    }
  }

  private static void assertOnlySliceWritten(RuleCase rule, Data d) {
    for (UpdateKernels kernels : List.of(SCALAR, VECTOR)) {
      try (Arena arena = Arena.ofConfined()) {
        Buffers b = new Buffers(arena, d, rule);
        int last = d.grads().length - 1;
        for (int s = 0; s <= last; s++) {
          rule.step(kernels, b, s, d);
        }
        String what = rule + " with " + kernels.lanes() + " lanes, slice [" + d.offset() + ", "
            + (d.offset() + d.count()) + ") of " + d.length();
        int from = d.offset();
        int to = d.offset() + d.count();
        assertUnchangedOutside(what + ", param", d.param(), b.param, from, to);
        for (int k = 0; k < 3; k++) {
          if (b.state[k] != MemorySegment.NULL) {
            assertUnchangedOutside(what + ", state" + k, d.state()[k], b.state[k], from, to);
          }
        }
        // a kernel only reads the gradient: no element of it may change
        assertUnchangedOutside(what + ", grad", d.grads()[last], b.grad, 0, 0);
      }
    }
  }

  /** Raw bits, NaN payloads included: nothing outside [from, to) may be written at all. */
  private static void assertUnchangedOutside(String what, float[] before, MemorySegment after,
      int from, int to) {
    float[] now = NativeFloats.toArray(after);
    for (int i = 0; i < before.length; i++) {
      boolean inside = i >= from && i < to;
      if (!inside && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(now[i])) {
        fail(what + ": element " + i + " outside the slice changed from " + before[i] + " to " + now[i]);
      }
    }
  }

  @Provide
  Arbitrary<Data> data() {
    // Around multiples of the lane count, where the main loop hands over to the tail, and a few
    // large ones; the slice starts at an offset into a larger buffer, so it is not always aligned.
    Arbitrary<Integer> counts = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.integers().between(0, 4 * LANES + 3)),
        Tuple.of(1, Arbitraries.of(1000, 4099)));
    return Combinators.combine(Arbitraries.integers().between(0, 5), counts,
            Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1, MAX_STEPS))
        .flatAs((offset, count, slack, steps) -> {
          Arbitrary<float[]> buffer = floats().array(float[].class).ofSize(offset + count + slack);
          return Combinators.combine(buffer, buffer.array(float[][].class).ofSize(steps),
                  buffer.array(float[][].class).ofSize(3))
              .as((param, grads, state) -> new Data(offset, count, param, grads, state));
        });
  }

  /** Raw bit patterns (NaN, ±Inf, ±0, subnormals) mixed with magnitudes that training sees. */
  static Arbitrary<Float> floats() {
    Arbitrary<Float> uniformBits = Arbitraries.integers()
        .withDistribution(RandomDistribution.uniform()).map(Float::intBitsToFloat);
    Arbitrary<Float> smallBits = Arbitraries.integers().map(Float::intBitsToFloat); // subnormals
    Arbitrary<Float> special = Arbitraries.of(0f, -0f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        Float.MAX_VALUE, -Float.MAX_VALUE);
    Arbitrary<Float> realistic = Combinators.combine(Arbitraries.floats().between(-1f, 1f).ofScale(7),
        Arbitraries.integers().between(-8, 3)).as((f, e) -> f * (float) Math.pow(10, e));
    return Arbitraries.frequencyOf(Tuple.of(2, uniformBits), Tuple.of(1, smallBits),
        Tuple.of(1, special), Tuple.of(8, realistic));
  }

  @Provide
  Arbitrary<SgdHyper> sgd() {
    return Combinators.combine(Arbitraries.doubles().between(1e-4, 1).ofScale(10),
        Arbitraries.doubles().between(0.01, 0.99).ofScale(10), Arbitraries.doubles().between(0.01, 1).ofScale(10),
        Arbitraries.doubles().between(1e-5, 0.1).ofScale(10)).as(SgdHyper::new);
  }

  @Provide
  Arbitrary<AdamHyper> adam() {
    return Combinators.combine(Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
        Arbitraries.doubles().between(0, 0.99).ofScale(10), Arbitraries.doubles().between(0, 0.9999).ofScale(10),
        Arbitraries.of(0.0, 1e-12, 1e-8, 1e-3), Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
        Arbitraries.longs().between(1, 5000)).as(AdamHyper::new);
  }
}
