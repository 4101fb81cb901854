package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.List;

/**
 * The schedule forms, by the names trainers know from PyTorch and Keras. Each returns a pure
 * function of the step (except {@link #reduceOnPlateau}, driven by a metric); the classes they
 * return give the formulas. Bad arguments are refused with an {@link IllegalArgumentException} that
 * names the argument and the value.
 */
public final class Schedules {
  private Schedules() {}

  /** {@code η(t) = value}. */
  public static Schedule constant(double value) {
    return new Constant(value);
  }

  /** {@code η(t) = η0 · γ^⌊t / stepSize⌋} (PyTorch's {@code StepLR}). */
  public static StepDecay step(double initial, long stepSize, double gamma) {
    return new StepDecay(initial, stepSize, gamma);
  }

  /**
   * {@code η(t) = η0 · γ^k} with {@code k} the number of milestones {@code ≤ t} (PyTorch's {@code
   * MultiStepLR}); milestones {@code ≥ 0} and strictly increasing.
   */
  public static PiecewiseConstant multiStep(double initial, double gamma, long... milestones) {
    Args.nonNegative("initial", initial);
    Args.positive("gamma", gamma);
    long[] checked = Args.increasingSteps("milestones", milestones);
    double[] values = new double[checked.length + 1];
    for (int k = 0; k < values.length; k++) {
      values[k] = initial * Math.pow(gamma, k);
    }
    return new PiecewiseConstant(checked, values);
  }

  /** {@code values[i]} from the {@code i}-th boundary on; see {@link PiecewiseConstant}. */
  public static PiecewiseConstant piecewiseConstant(long[] boundaries, double... values) {
    return new PiecewiseConstant(boundaries, values);
  }

  /**
   * {@code η0 · factor} for the first {@code totalSteps} steps, {@code η0} after (PyTorch's {@code
   * ConstantLR}).
   */
  public static PiecewiseConstant constantFactor(double initial, double factor, long totalSteps) {
    Args.nonNegative("initial", initial);
    Args.nonNegative("factor", factor);
    Args.positive("totalSteps", totalSteps);
    return new PiecewiseConstant(new long[] {totalSteps}, new double[] {initial * factor, initial});
  }

  /** {@code η(t) = η0 · γ^t} (PyTorch's {@code ExponentialLR}). */
  public static TimeDecay exponential(double initial, double gamma) {
    Args.positive("gamma", gamma);
    return new TimeDecay(TimeDecay.Kind.EXPONENTIAL, initial, gamma, 1, false);
  }

  /**
   * {@code η(t) = η0 · rate^(t / decaySteps)}, the exponent floored with {@code staircase} (Keras).
   */
  public static TimeDecay exponential(
      double initial, double rate, long decaySteps, boolean staircase) {
    return new TimeDecay(TimeDecay.Kind.EXPONENTIAL, initial, rate, decaySteps, staircase);
  }

  /** {@code η(t) = η0 · e^(−k·t)}. */
  public static TimeDecay naturalExponential(double initial, double k) {
    return naturalExponential(initial, k, 1, false);
  }

  /** {@code η(t) = η0 · e^(−k · t / decaySteps)}, the exponent floored with {@code staircase}. */
  public static TimeDecay naturalExponential(
      double initial, double k, long decaySteps, boolean staircase) {
    return new TimeDecay(TimeDecay.Kind.NATURAL_EXPONENTIAL, initial, k, decaySteps, staircase);
  }

  /** {@code η(t) = η0 / (1 + k · t / decaySteps)}, the quotient floored with {@code staircase}. */
  public static TimeDecay inverseTime(
      double initial, double k, long decaySteps, boolean staircase) {
    return new TimeDecay(TimeDecay.Kind.INVERSE_TIME, initial, k, decaySteps, staircase);
  }

  /** {@code η(t) = η0 / √(1 + k·t)}. */
  public static InverseSqrt inverseSqrt(double initial, double k) {
    return new InverseSqrt(initial, k);
  }

  /** {@code η(t) = η0 · (1 − min(t, T) / T)^power} (PyTorch's {@code PolynomialLR}). */
  public static Polynomial polynomial(double initial, long totalSteps, double power) {
    return new Polynomial(initial, 0, totalSteps, power, false);
  }

  /** Keras's {@code PolynomialDecay} to {@code end}, optionally cycling; see {@link Polynomial}. */
  public static Polynomial polynomial(
      double initial, double end, long decaySteps, double power, boolean cycle) {
    return new Polynomial(initial, end, decaySteps, power, cycle);
  }

  /**
   * {@code η(t) = η0 · (startFactor + (endFactor − startFactor) · min(t, T) / T)} (PyTorch's {@code
   * LinearLR}).
   */
  public static Linear linear(
      double initial, double startFactor, double endFactor, long totalSteps) {
    return new Linear(initial, startFactor, endFactor, totalSteps);
  }

  /**
   * {@code η(t) = ηmin + (η0 − ηmin)(1 + cos(π·t / tMax)) / 2} (PyTorch's {@code
   * CosineAnnealingLR}).
   */
  public static CosineAnnealing cosine(double initial, double min, long tMax) {
    return new CosineAnnealing(initial, min, tMax);
  }

  /** SGDR: periods {@code t0 · tMult^i} (PyTorch's {@code CosineAnnealingWarmRestarts}). */
  public static CosineWarmRestarts cosineWarmRestarts(
      double initial, double min, long t0, long tMult) {
    return new CosineWarmRestarts(initial, min, t0, tMult, 1);
  }

  /**
   * SGDR with Keras's options: each restart's peak times {@code mMul}, and the floor {@code alpha ·
   * η0} (Keras's {@code CosineDecayRestarts}).
   */
  public static CosineWarmRestarts cosineDecayRestarts(
      double initial, long t0, long tMult, double mMul, double alpha) {
    Args.nonNegative("alpha", alpha);
    return new CosineWarmRestarts(initial, alpha * initial, t0, tMult, mMul);
  }

  /**
   * {@code then} after a linear warmup of {@code warmupSteps} steps: from {@code startFactor ·
   * then(0)} rising to {@code then(0)}, then {@code then(t − warmupSteps)}.
   */
  public static Sequential linearWarmup(long warmupSteps, double startFactor, Schedule then) {
    Args.positive("warmupSteps", warmupSteps);
    return new Sequential(
        List.of(new Linear(then.valueAt(0), startFactor, 1, warmupSteps), then), warmupSteps);
  }

  /**
   * {@code then} after a constant warmup of {@code warmupSteps} steps at {@code factor · then(0)},
   * then {@code then(t − warmupSteps)}.
   */
  public static Sequential constantWarmup(long warmupSteps, double factor, Schedule then) {
    Args.positive("warmupSteps", warmupSteps);
    Args.nonNegative("factor", factor);
    return new Sequential(List.of(new Constant(factor * then.valueAt(0)), then), warmupSteps);
  }

  /** A triangular cycle; see {@link Cyclic.Builder} for the other modes and the momentum. */
  public static Cyclic.Builder cyclic(double baseLr, double maxLr, long stepsUp) {
    return Cyclic.builder(baseLr, maxLr, stepsUp);
  }

  /** A one-cycle policy; see {@link OneCycle.Builder} for its options and the momentum. */
  public static OneCycle.Builder oneCycle(double maxLr, long totalSteps) {
    return OneCycle.builder(maxLr, totalSteps);
  }

  /** Uniform in {@code [min, max)}, reproducible from the seed and the step. */
  public static UniformRandom uniformRandom(long seed, double min, double max) {
    return new UniformRandom(seed, min, max);
  }

  /** Each part from its milestone on, started over there (PyTorch's {@code SequentialLR}). */
  public static Sequential sequential(List<Schedule> parts, long... milestones) {
    return new Sequential(parts, milestones);
  }

  /** The product of the parts, step by step. */
  public static Chained chained(Schedule... parts) {
    return new Chained(List.of(parts));
  }

  /** Reduce-on-plateau from {@code initial}; see {@link ReduceLrOnPlateau.Builder}. */
  public static ReduceLrOnPlateau.Builder reduceOnPlateau(double initial) {
    return ReduceLrOnPlateau.builder(initial);
  }
}
