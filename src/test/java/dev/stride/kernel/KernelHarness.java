package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * What every rule's kernel test shares: data mixing raw bit patterns (NaN, ±Inf, ±0, subnormals)
 * with magnitudes training sees, at sizes around multiples of the lane count and at offsets into
 * larger buffers; the scalar and vector kernels stepped side by side for several steps; and
 * bit-for-bit comparison of everything a step writes. Surefire runs the kernel tests at the
 * machine's preferred width (512 bits on AVX-512) and again with {@code -Dstride.vector.bits=128}
 * and {@code 256}.
 *
 * <p>Each step runs three times: with the rule's hyperparameters alone, and with a gradient scale,
 * a clip value and an L1 strength ({@link GradientCoefficients#setStepTerms}), so that every rule's
 * gradient prologue is covered.
 */
final class KernelHarness {
  static final KernelSet SCALAR = KernelSet.scalar();
  static final KernelSet VECTOR = KernelSet.vector();
  static final int LANES = VECTOR.lanes();
  static final int MAX_STEPS = 4;

  /** The most state buffers a rule keeps. */
  static final int STATE_BUFFERS = 6;

  private KernelHarness() {}

  /**
   * Floats in a buffer of {@code offset + count + slack}, of which the kernels update {@code
   * [offset, offset + count)}; {@code grads[s]} is the gradient buffer of step s.
   */
  record Data(int offset, int count, float[] param, float[][] grads, float[][] state) {
    int length() {
      return param.length;
    }
  }

  /** One rule with fixed flags and hyperparameters. */
  interface RuleCase {
    /** Step {@code s}'s coefficients (s from 0), made afresh. */
    GradientCoefficients coefficients(int s);

    /** Runs the rule's kernel from {@code kernels} with {@code c} over {@code d}'s slice. */
    void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d);

    /** Which of the state buffers the rule uses with these flags. */
    boolean usesState(int k);
  }

  /**
   * A kernel outside the update rules, with no gradient prologue (weight averaging): step {@code s}
   * runs it over {@code d}'s slice of {@code b}, reading {@code b.grad} (which holds {@code
   * d.grads()[s]}) and writing {@code b.param} and the state it uses.
   */
  interface KernelCase {
    void step(KernelSet kernels, Buffers b, Data d, int s);

    boolean usesState(int k);
  }

  /** A rule under one step term, as a {@link KernelCase}. */
  private record WithTerms(RuleCase rule, StepTerms terms) implements KernelCase {
    @Override
    public void step(KernelSet kernels, Buffers b, Data d, int s) {
      GradientCoefficients c = rule.coefficients(s);
      c.setStepTerms(terms.gradScale(), terms.clipValue(), terms.l1());
      rule.update(kernels, c, b, d);
    }

    @Override
    public boolean usesState(int k) {
      return rule.usesState(k);
    }

    @Override
    public String toString() {
      return rule + ", " + terms;
    }
  }

  /** The gradient scale, clip value and L1 strength a step runs with. */
  record StepTerms(float gradScale, float clipValue, double l1) {}

  static final List<StepTerms> STEP_TERMS =
      List.of(
          new StepTerms(1, Float.POSITIVE_INFINITY, 0),
          new StepTerms(0.375f, Float.POSITIVE_INFINITY, 1e-3),
          new StepTerms(3e-5f, 1e-2f, 0.5));

  /** Native, 64-byte aligned copies of a {@link Data}: what one kernel reads and writes. */
  static final class Buffers {
    final MemorySegment param;
    final MemorySegment grad;
    final MemorySegment[] state = new MemorySegment[STATE_BUFFERS];

    Buffers(Arena arena, Data d, KernelCase rule) {
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
      for (int k = 0; k < state.length; k++) {
        if (state[k] != MemorySegment.NULL) {
          out.add(new Named("state" + k, state[k]));
        }
      }
      return out;
    }
  }

  record Named(String name, MemorySegment segment) {}

  private static void step(KernelCase rule, KernelSet kernels, Buffers b, int s, Data d) {
    NativeFloats.write(b.grad, d.grads()[s]);
    rule.step(kernels, b, d, s);
  }

  /** The vector kernel writes the scalar one's bits, after every step, under every step term. */
  static void assertVectorMatchesScalar(RuleCase rule, Data d) {
    for (StepTerms terms : STEP_TERMS) {
      assertVectorMatchesScalar(new WithTerms(rule, terms), d);
    }
  }

  /** The vector kernel writes the scalar one's bits, after every step. */
  static void assertVectorMatchesScalar(KernelCase rule, Data d) {
    try (Arena arena = Arena.ofConfined()) {
      Buffers scalar = new Buffers(arena, d, rule);
      Buffers vector = new Buffers(arena, d, rule);
      for (int s = 0; s < d.grads().length; s++) {
        step(rule, SCALAR, scalar, s, d);
        step(rule, VECTOR, vector, s, d);
        List<Named> expected = scalar.outputs();
        List<Named> actual = vector.outputs();
        for (int k = 0; k < expected.size(); k++) {
          float[] e = NativeFloats.toArray(expected.get(k).segment());
          float[] a = NativeFloats.toArray(actual.get(k).segment());
          for (int i = 0; i < e.length; i++) {
            // floatToIntBits: any NaN equals any NaN (payloads may legally differ), else exact bits
            if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
              fail(
                  String.format(
                      "%s, %d lanes, after step %d: %s[%d] is %s (0x%08x) scalar but"
                          + " %s (0x%08x) vector; offset %d, count %d; param was %s, grad %s",
                      rule,
                      LANES,
                      s + 1,
                      expected.get(k).name(),
                      i,
                      e[i],
                      Float.floatToRawIntBits(e[i]),
                      a[i],
                      Float.floatToRawIntBits(a[i]),
                      d.offset(),
                      d.count(),
                      d.param()[i],
                      d.grads()[s][i]));
            }
          }
        }
      }
    }
  }

  /** Both kernels write nothing outside their slice and never write the gradient. */
  static void assertOnlySliceWritten(RuleCase rule, Data d) {
    assertOnlySliceWritten(new WithTerms(rule, STEP_TERMS.get(1)), d);
  }

  /** Both kernels write nothing outside their slice and never write {@code b.grad}. */
  static void assertOnlySliceWritten(KernelCase rule, Data d) {
    for (KernelSet kernels : List.of(SCALAR, VECTOR)) {
      try (Arena arena = Arena.ofConfined()) {
        Buffers b = new Buffers(arena, d, rule);
        int last = d.grads().length - 1;
        for (int s = 0; s <= last; s++) {
          step(rule, kernels, b, s, d);
        }
        String what =
            rule
                + " with "
                + kernels
                + ", slice ["
                + d.offset()
                + ", "
                + (d.offset() + d.count())
                + ") of "
                + d.length();
        int from = d.offset();
        int to = d.offset() + d.count();
        assertUnchangedOutside(what + ", param", d.param(), b.param, from, to);
        for (int k = 0; k < STATE_BUFFERS; k++) {
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
  private static void assertUnchangedOutside(
      String what, float[] before, MemorySegment after, int from, int to) {
    float[] now = NativeFloats.toArray(after);
    for (int i = 0; i < before.length; i++) {
      boolean inside = i >= from && i < to;
      if (!inside && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(now[i])) {
        fail(
            what
                + ": element "
                + i
                + " outside the slice changed from "
                + before[i]
                + " to "
                + now[i]);
      }
    }
  }

  /**
   * Sizes around multiples of the lane count, where the main loop hands over to the tail, and a few
   * large ones; the slice starts at an offset into a larger buffer, so it is not always aligned.
   */
  static Arbitrary<Data> data() {
    return data(floats());
  }

  /**
   * As {@link #data()}, with state buffers drawn from {@code state} (a rule whose state is ≥ 0).
   */
  static Arbitrary<Data> data(Arbitrary<Float> state) {
    Arbitrary<Integer> counts =
        Arbitraries.frequencyOf(
            Tuple.of(12, Arbitraries.integers().between(0, 4 * LANES + 3)),
            Tuple.of(1, Arbitraries.of(1000, 4099)));
    return Combinators.combine(
            Arbitraries.integers().between(0, 5),
            counts,
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(1, MAX_STEPS))
        .flatAs(
            (offset, count, slack, steps) -> {
              int length = offset + count + slack;
              Arbitrary<float[]> buffer = floats().array(float[].class).ofSize(length);
              Arbitrary<float[]> stateBuffer = state.array(float[].class).ofSize(length);
              return Combinators.combine(
                      buffer,
                      buffer.array(float[][].class).ofSize(steps),
                      stateBuffer.array(float[][].class).ofSize(STATE_BUFFERS))
                  .as((param, grads, states) -> new Data(offset, count, param, grads, states));
            });
  }

  /** {@link #floats()} without their sign: state that a rule keeps ≥ 0, such as sums of squares. */
  static Arbitrary<Float> nonNegativeFloats() {
    return floats().map(Math::abs);
  }

  /** Raw bit patterns (NaN, ±Inf, ±0, subnormals) mixed with magnitudes that training sees. */
  static Arbitrary<Float> floats() {
    Arbitrary<Float> uniformBits =
        Arbitraries.integers()
            .withDistribution(RandomDistribution.uniform())
            .map(Float::intBitsToFloat);
    Arbitrary<Float> smallBits = Arbitraries.integers().map(Float::intBitsToFloat); // subnormals
    Arbitrary<Float> special =
        Arbitraries.of(
            0f,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MIN_NORMAL,
            Float.MAX_VALUE,
            -Float.MAX_VALUE);
    Arbitrary<Float> realistic =
        Combinators.combine(
                Arbitraries.floats().between(-1f, 1f).ofScale(7),
                Arbitraries.integers().between(-8, 3))
            .as((f, e) -> f * (float) Math.pow(10, e));
    return Arbitraries.frequencyOf(
        Tuple.of(2, uniformBits),
        Tuple.of(1, smallBits),
        Tuple.of(1, special),
        Tuple.of(8, realistic));
  }
}
