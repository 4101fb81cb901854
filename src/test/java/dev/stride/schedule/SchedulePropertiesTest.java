package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

/** Properties of the forms over random hyperparameters. */
class SchedulePropertiesTest {
  private static final long MILLION = 1_000_000;

  // ---- bounds

  @Property(tries = 200)
  void cosineStaysBetweenMinAndInitial(
      @ForAll @DoubleRange(min = 1e-6, max = 10) @Scale(8) double initial,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double minFraction,
      @ForAll @LongRange(min = 1, max = 500) long tMax,
      @ForAll @LongRange(min = 0, max = 10 * MILLION) long step) {
    double min = initial * minFraction;
    assertWithin(Schedules.cosine(initial, min, tMax).valueAt(step), min, initial);
  }

  @Property(tries = 200)
  void warmRestartsStayBetweenMinAndInitial(
      @ForAll @DoubleRange(min = 1e-6, max = 10) @Scale(8) double initial,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double minFraction,
      @ForAll @LongRange(min = 1, max = 50) long t0,
      @ForAll @LongRange(min = 1, max = 4) long tMult,
      @ForAll @LongRange(min = 0, max = 10 * MILLION) long step) {
    double min = initial * minFraction;
    assertWithin(Schedules.cosineWarmRestarts(initial, min, t0, tMult).valueAt(step), min, initial);
  }

  @Property(tries = 200)
  void cyclicStaysBetweenBaseAndMaxAndMomentumBetweenItsBounds(
      @ForAll("cyclics") Cyclic cyclic, @ForAll @LongRange(min = 0, max = 10 * MILLION) long step) {
    assertWithin(cyclic.valueAt(step), 0.01, 0.5);
    assertWithin(cyclic.momentum().orElseThrow().valueAt(step), 0.8, 0.95);
  }

  @Property(tries = 200)
  void oneCycleStaysBetweenItsFloorAndPeak(
      @ForAll("oneCycles") OneCycle oneCycle, @ForAll @LongRange(min = 0, max = 2000) long step) {
    // built with maxLr 1, divFactor ≤ 100 and finalDivFactor ≤ 10^4
    assertWithin(oneCycle.valueAt(step), 1e-6, 1);
    assertWithin(oneCycle.momentum().orElseThrow().valueAt(step), 0.85, 0.95);
  }

  @Property(tries = 200)
  void polynomialStaysBetweenEndAndInitial(
      @ForAll @DoubleRange(min = 0.01, max = 10) @Scale(8) double initial,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double endFraction,
      @ForAll @LongRange(min = 1, max = 1000) long decaySteps,
      @ForAll @DoubleRange(min = 0.1, max = 5) @Scale(8) double power,
      @ForAll boolean cycle,
      @ForAll @LongRange(min = 0, max = 10 * MILLION) long step) {
    double end = initial * endFraction;
    assertWithin(
        Schedules.polynomial(initial, end, decaySteps, power, cycle).valueAt(step), end, initial);
  }

  @Property(tries = 200)
  void uniformRandomStaysInItsInterval(
      @ForAll long seed,
      @ForAll @DoubleRange(min = -1, max = 1) @Scale(8) double min,
      @ForAll @DoubleRange(min = 0, max = 2) @Scale(8) double width,
      @ForAll @LongRange(min = 0) long step) {
    double v = Schedules.uniformRandom(seed, min, min + width).valueAt(step);
    assertTrue(
        v >= min && (v < min + width || width == 0),
        v + " outside [" + min + ", " + (min + width) + ")");
  }

  @Property(tries = 100)
  void clampHoldsAnyScheduleWithinItsBounds(
      @ForAll long seed,
      @ForAll @DoubleRange(min = 0, max = 0.5) @Scale(8) double lo,
      @ForAll @DoubleRange(min = 0.5, max = 1) @Scale(8) double hi,
      @ForAll @LongRange(min = 0) long step) {
    assertWithin(Schedules.uniformRandom(seed, -3, 3).clamp(lo, hi).valueAt(step), lo, hi);
  }

  // ---- monotone where the form is monotone

  @Property(tries = 100)
  void decaysNeverRise(
      @ForAll("decays") Schedule decay, @ForAll @LongRange(min = 0, max = 10 * MILLION) long from) {
    for (long t = from; t < from + 50; t++) {
      assertTrue(decay.valueAt(t + 1) <= decay.valueAt(t), decay + " rises at step " + t);
    }
  }

  @Property(tries = 100)
  void cosineFallsUntilTMaxAndRisesAfter(
      @ForAll @LongRange(min = 1, max = 300) long tMax,
      @ForAll @DoubleRange(min = 0, max = 0.5) @Scale(8) double min) {
    CosineAnnealing cosine = Schedules.cosine(1, min, tMax);
    for (long t = 0; t < tMax; t++) {
      assertTrue(cosine.valueAt(t + 1) <= cosine.valueAt(t), "rises at " + t);
      assertTrue(
          cosine.valueAt(tMax + t + 1) >= cosine.valueAt(tMax + t), "falls at " + (tMax + t));
    }
  }

  @Property(tries = 100)
  void linearMovesTowardsItsEndFactorThenHolds(
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double start,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double end,
      @ForAll @LongRange(min = 1, max = 200) long total) {
    Linear linear = Schedules.linear(2, start, end, total);
    for (long t = 0; t < total + 10; t++) {
      double step = linear.valueAt(t + 1) - linear.valueAt(t);
      assertTrue(
          t >= total ? step == 0 : step * Math.signum(end - start) >= 0, "wrong way at " + t);
    }
    assertEquals(2 * end, linear.valueAt(total), 1e-15);
  }

  @Property(tries = 100)
  void oneCycleRisesToItsPeakThenFalls(@ForAll("oneCycles") OneCycle oneCycle) {
    long n = oneCycle.totalSteps();
    long peak = 0;
    for (long t = 1; t < n; t++) {
      if (oneCycle.valueAt(t) > oneCycle.valueAt(peak)) {
        peak = t;
      }
    }
    for (long t = 0; t < n - 1; t++) {
      double d = oneCycle.valueAt(t + 1) - oneCycle.valueAt(t);
      assertTrue(t < peak ? d >= 0 : d <= 1e-15, "wrong way at " + t + ", peak at " + peak);
    }
  }

  // ---- restart periods

  @Property(tries = 100)
  void warmRestartsReturnToTheirPeakAtEachRestart(
      @ForAll @LongRange(min = 1, max = 20) long t0,
      @ForAll @LongRange(min = 1, max = 3) long tMult,
      @ForAll @DoubleRange(min = 0.3, max = 1) @Scale(8) double mMul) {
    CosineWarmRestarts s = Schedules.cosineDecayRestarts(1, t0, tMult, mMul, 0.1);
    long start = 0;
    long period = t0;
    for (int i = 0; i < 6; i++) {
      assertEquals(0.1 + 0.9 * Math.pow(mMul, i), s.valueAt(start), 1e-14, "restart " + i);
      assertTrue(
          s.valueAt(start + period - 1) <= s.valueAt(start), "period " + i + " does not fall");
      start += period;
      period *= tMult;
    }
  }

  @Property(tries = 100)
  void periodicFormsRepeatExactlyEvenAMillionStepsIn(
      @ForAll("cyclics") Cyclic cyclic,
      @ForAll @LongRange(min = 1, max = 100) long period,
      @ForAll @LongRange(min = 0, max = 400) long t) {
    Cyclic triangular = Schedules.cyclic(0.01, 0.5, period).stepsDown(period + 1).build();
    long p = 2 * period + 1;
    assertEquals(triangular.valueAt(t), triangular.valueAt(t + (MILLION / p) * p));
    CosineAnnealing cosine = Schedules.cosine(1, 0.01, period);
    assertEquals(cosine.valueAt(t), cosine.valueAt(t + (MILLION / (2 * period)) * 2 * period));
    CosineWarmRestarts restarts = Schedules.cosineWarmRestarts(1, 0.01, period, 1);
    assertEquals(restarts.valueAt(t), restarts.valueAt(t + (MILLION / period) * period));
  }

  // ---- compositions

  @Property(tries = 100)
  void aSequenceEqualsItsPieces(
      @ForAll @LongRange(min = 1, max = 50) long m1,
      @ForAll @LongRange(min = 1, max = 50) long gap,
      @ForAll @LongRange(min = 0, max = 200) long t) {
    List<Schedule> parts =
        List.of(
            Schedules.linear(0.1, 0.01, 1, m1),
            Schedules.exponential(0.1, 0.9),
            Schedules.cosine(0.05, 0.001, 30));
    long m2 = m1 + gap;
    Schedule sequence = Schedules.sequential(parts, m1, m2);
    double expected =
        t < m1
            ? parts.get(0).valueAt(t)
            : t < m2 ? parts.get(1).valueAt(t - m1) : parts.get(2).valueAt(t - m2);
    assertEquals(expected, sequence.valueAt(t));
  }

  @Property(tries = 100)
  void aWarmupIsALinearRampInFrontOfTheSchedule(
      @ForAll @LongRange(min = 1, max = 50) long warmup,
      @ForAll @DoubleRange(min = 0, max = 1) @Scale(8) double startFactor,
      @ForAll @LongRange(min = 0, max = 200) long t) {
    CosineAnnealing cosine = Schedules.cosine(0.1, 0, 100);
    double expected =
        t >= warmup
            ? cosine.valueAt(t - warmup)
            : 0.1 * (startFactor + (1 - startFactor) * t / warmup);
    assertEquals(expected, Schedules.linearWarmup(warmup, startFactor, cosine).valueAt(t), 1e-15);
  }

  @Property(tries = 100)
  void aChainIsTheProductOfItsFactors(
      @ForAll @DoubleRange(min = 0.5, max = 1) @Scale(8) double gamma,
      @ForAll @LongRange(min = 1, max = 100) long tMax,
      @ForAll @LongRange(min = 0, max = 1000) long t) {
    Schedule chain =
        Schedules.chained(Schedules.cosine(0.1, 0.01, tMax), Schedules.exponential(1, gamma));
    assertEquals(
        Schedules.cosine(0.1, 0.01, tMax).valueAt(t) * Math.pow(gamma, t),
        chain.valueAt(t),
        1e-15 * chain.valueAt(t) + Double.MIN_VALUE);
  }

  // ---- the closed form at step t equals stepping t times (PyTorch's recursive updates)

  @Property(tries = 50)
  void closedFormsEqualPyTorchsRecursiveStepping(@ForAll("recursions") Recursion r) {
    double lr = r.initialStep().applyAsDouble(1.0);
    for (long t = 0; t < 3000; t++) {
      if (t > 0) {
        lr = r.update().apply(t).applyAsDouble(lr);
      }
      double closed = r.closed().valueAt(t);
      assertEquals(closed, lr, 1e-9 * Math.abs(closed), r.closed() + " at step " + t);
    }
  }

  // ---- no drift after 10^6 steps

  @Property(tries = 50)
  void decaysMatchTheirFormulaAMillionStepsIn(
      @ForAll @DoubleRange(min = 0.999, max = 0.999999) @Scale(8) double gamma,
      @ForAll @IntRange(min = 0, max = 1000) int extra) {
    long t = MILLION + extra;
    double exact = Math.exp(t * Math.log(gamma));
    assertEquals(exact, Schedules.exponential(1, gamma).valueAt(t), 1e-9 * exact);
    assertEquals(1 / Math.sqrt(1 + 1e-3 * t), Schedules.inverseSqrt(1, 1e-3).valueAt(t), 1e-15);
  }

  // ---- generators

  @Provide
  Arbitrary<Cyclic> cyclics() {
    return Combinators.combine(
            Arbitraries.longs().between(1, 50),
            Arbitraries.longs().between(1, 50),
            Arbitraries.of(Cyclic.Mode.values()),
            Arbitraries.doubles().between(0.9, 1).ofScale(8))
        .as(
            (up, down, mode, gamma) -> {
              Cyclic.Builder b =
                  Schedules.cyclic(0.01, 0.5, up).stepsDown(down).momentum(0.8, 0.95);
              return (mode == Cyclic.Mode.EXP_RANGE ? b.expRange(gamma) : b.mode(mode)).build();
            });
  }

  @Provide
  Arbitrary<OneCycle> oneCycles() {
    return Combinators.combine(
            Arbitraries.longs().between(20, 1000),
            Arbitraries.doubles().between(0.1, 0.45).ofScale(8),
            Arbitraries.of(OneCycle.Anneal.values()),
            Arbitraries.of(false, true),
            Arbitraries.doubles().between(2, 100).ofScale(8),
            Arbitraries.doubles().between(1, 1e4).ofScale(8))
        .as(
            (n, pct, anneal, three, div, finalDiv) ->
                Schedules.oneCycle(1, n)
                    .pctStart(pct)
                    .anneal(anneal)
                    .threePhase(three)
                    .divFactor(div)
                    .finalDivFactor(finalDiv)
                    .build());
  }

  @Provide
  Arbitrary<Schedule> decays() {
    Arbitrary<Double> rate = Arbitraries.doubles().between(0.01, 0.999).ofScale(8);
    Arbitrary<Long> steps = Arbitraries.longs().between(1, 100);
    return Arbitraries.oneOf(
        Combinators.combine(rate, steps).as((g, s) -> Schedules.step(1, s, g)),
        Combinators.combine(rate, steps, Arbitraries.of(false, true))
            .as((g, s, stair) -> Schedules.exponential(1, g, s, stair)),
        Combinators.combine(rate, steps, Arbitraries.of(false, true))
            .as((k, s, stair) -> Schedules.naturalExponential(1, k, s, stair)),
        Combinators.combine(rate, steps, Arbitraries.of(false, true))
            .as((k, s, stair) -> Schedules.inverseTime(1, k, s, stair)),
        rate.map(k -> Schedules.inverseSqrt(1, k)),
        Combinators.combine(steps, rate).as((s, p) -> Schedules.polynomial(1, s, 5 * p)),
        Arbitraries.longs()
            .between(1, 100)
            .list()
            .ofMinSize(1)
            .ofMaxSize(5)
            .uniqueElements()
            .map(
                ms ->
                    Schedules.multiStep(
                        1, 0.5, ms.stream().mapToLong(Long::longValue).sorted().toArray())));
  }

  /** A form, its first value from a rate of 1, and PyTorch's chainable update at step t. */
  record Recursion(
      Schedule closed, DoubleUnaryOperator initialStep, LongFunction<DoubleUnaryOperator> update) {}

  @Provide
  Arbitrary<Recursion> recursions() {
    Arbitrary<Double> gamma = Arbitraries.doubles().between(0.99, 1.01).ofScale(8);
    Arbitrary<Long> steps = Arbitraries.longs().between(1, 400);
    Arbitrary<Double> factor = Arbitraries.doubles().between(0.01, 1).ofScale(8);
    return Arbitraries.oneOf(
        gamma.map(g -> new Recursion(Schedules.exponential(1, g), lr -> lr, t -> lr -> lr * g)),
        Combinators.combine(steps, gamma)
            .as(
                (s, g) ->
                    new Recursion(
                        Schedules.step(1, s, g), lr -> lr, t -> lr -> t % s == 0 ? lr * g : lr)),
        Combinators.combine(factor, factor, steps)
            .as(
                (s, e, n) ->
                    new Recursion(
                        Schedules.linear(1, s, e, n),
                        lr -> lr * s,
                        t -> lr -> t > n ? lr : lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))))),
        Combinators.combine(steps, factor)
            .as(
                (n, p) ->
                    new Recursion(
                        Schedules.polynomial(1, n, 3 * p),
                        lr -> lr,
                        t ->
                            lr ->
                                t > n
                                    ? lr
                                    : lr
                                        * Math.pow(
                                            (1.0 - (double) t / n) / (1.0 - (double) (t - 1) / n),
                                            3 * p))),
        Combinators.combine(steps, factor)
            .as(
                (n, m) ->
                    new Recursion(
                        Schedules.cosine(1, m, n),
                        lr -> lr,
                        t ->
                            lr ->
                                (t - 1 - n) % (2 * n) == 0
                                    ? lr + (1 - m) * (1 - Math.cos(Math.PI / n)) / 2
                                    : (1 + Math.cos(Math.PI * t / n))
                                            / (1 + Math.cos(Math.PI * (t - 1) / n))
                                            * (lr - m)
                                        + m)));
  }

  /**
   * Allows two ulps of the bounds: the closed forms round, so {@code min + (initial − min)·1} may
   * exceed initial by one.
   */
  private static void assertWithin(double value, double min, double max) {
    double slack = 2 * Math.ulp(Math.max(Math.abs(min), Math.abs(max)));
    assertTrue(
        value >= min - slack && value <= max + slack,
        value + " outside [" + min + ", " + max + "]");
  }
}
