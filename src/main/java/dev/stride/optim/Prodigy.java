package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.ProdigyKernel;
import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;

/**
 * Prodigy, the learning-rate-free rule of Mishchenko and Defazio, as konstmish's {@code
 * prodigyopt.Prodigy}: Adam whose step size d estimates the distance to the solution from sums over
 * every tensor of the optimizer, so there is no rate to tune. Per step, in double, with k the steps
 * d has been updated in (from 0) and d the estimate after the previous step:
 *
 * <pre>
 *   β3 = beta3, or √β2;   bc = useBiasCorrection ? √(1 − β2^(k+1)) / (1 − β1^(k+1)) : 1
 *   dlr = d·lr·bc;   A = β3·A
 *   each tensor:   g = g + λ·p  (coupled, if not decouple),  plus the group's L1 term λ1·sign(p)
 *                  m, v, s as {@link ProdigyKernel} says
 *   each group:    A += (d/d0)·dlr·Σ⟨g, p0 − p⟩ over its tensors;   S += Σ|s| over its tensors
 *   if S = 0: stop (m, v and s moved; p, d, A and k stay)
 *   d̂ = dCoef·A/S;   d = max(d, d̂) while d = d0;   d_max = max(d_max, d̂);   d = min(d_max, d·growthRate)
 *   each tensor:   p = p − λ·dlr·p (decouple),   p = p − dlr·m/(√v + d·ε)   (the new d in ε only)
 * </pre>
 *
 * p0 is each tensor's value at its first step. Every group must have the same rate: the reference
 * refuses others but 0, which {@link ProdigyOptions} refuses as the reference's constructor does.
 * The estimate, its maximum, A and k are kept in every group, equal, under the reference's {@code
 * param_groups} keys; {@link #d()} reads it. A step makes two passes (36 and 16 bytes per element:
 * 52, against AdamW's 28), with reductions the same for any number of threads. State: {@code p0},
 * {@code s}, {@code exp_avg} (when β1 > 0), {@code exp_avg_sq}.
 */
public final class Prodigy extends Optimizer<ProdigyOptions> {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<ProdigyOptions> RULE =
      Rule.builder("Prodigy", ProdigyOptions.class, ProdigyOptions::fromPyTorch)
          .valueCopy("p0")
          .buffer("s")
          .buffer("exp_avg", h -> h.beta1() > 0)
          .buffer("exp_avg_sq")
          .groupNumbers("d", "d_max", "d_numerator", "k")
          .keepsStep()
          .passes(2)
          .build(Prodigy::new);

  private static final int P0 = 0;
  private static final int S = 1;
  private static final int EXP_AVG = 2;
  private static final int EXP_AVG_SQ = 3;
  private static final int D = 0;
  private static final int D_MAX = 1;
  private static final int NUMERATOR = 2;
  private static final int K = 3;
  private final ProdigyKernel kernel = kernel(ProdigyKernel.class);
  private final ReduceKernel reduce = kernel(ReduceKernel.class);

  /** This step's d·lr·bias correction, from {@link #prepareGroup} on the first group. */
  private double dlr;

  /** Per group: Σ⟨g, p0 − p⟩ and Σ|s|, from {@link #groupSums}. */
  private double[] sums = new double[0];

  public Prodigy(ProdigyOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Prodigy(ProdigyOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }

  /** The estimate d after the last step: d0 before the first. */
  public double d() {
    return group(0).numbers[D];
  }

  /** A group joins the estimate as it stands; the first starts it at d0. */
  @Override
  double[] newGroupNumbers(ProdigyOptions h) {
    return groups().isEmpty() ? new double[] {h.d0(), h.d0(), 0, 0} : group(0).numbers.clone();
  }

  @Override
  void checkCanStep() {
    double lr = group(0).lr();
    for (ParamGroup<ProdigyOptions> g : groups()) {
      if (g.lr() != lr) {
        throw new IllegalStateException(
            "Prodigy needs the same lr in every group, as the reference"
                + " does: group 0 has "
                + lr
                + ", group "
                + g.index()
                + " has "
                + g.lr()
                + "; nothing was updated");
      }
    }
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new ProdigyKernel.Coefficients();
  }

  @Override
  void prepareGroup(ParamGroup<ProdigyOptions> group) {
    if (group.index() == 0) {
      ProdigyOptions h = group.hyperparameters();
      double k = group.numbers[K];
      double bc =
          h.useBiasCorrection()
              ? Math.sqrt(1 - Math.pow(h.beta2(), k + 1)) / (1 - Math.pow(h.beta1(), k + 1))
              : 1;
      dlr = group.numbers[D] * h.lr() * bc;
    }
  }

  @Override
  void prepare(ProdigyOptions h, Parameter p) {
    ProdigyOptions first = group(0).hyperparameters();
    p.<ProdigyKernel.Coefficients>coefficients()
        .set(
            d(),
            h.d0(),
            dlr,
            first.beta1(),
            first.beta2(),
            first.effectiveBeta3(),
            h.decouple() ? 0 : h.weightDecay(),
            h.safeguardWarmup());
  }

  @Override
  int chunkResults() {
    return 2;
  }

  @Override
  int scratchChunks() {
    return 2;
  }

  @Override
  void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    ProdigyKernel.Coefficients c = p.coefficients();
    if (pass == 0) {
      MemorySegment g = scratch(worker, 0);
      MemorySegment diff = scratch(worker, 1);
      double[] partials = partials(worker);
      kernel.moments(
          c,
          p.value,
          p.grad,
          p.state(P0),
          p.state(EXP_AVG),
          p.state(EXP_AVG_SQ),
          p.state(S),
          g,
          diff,
          offset,
          offset,
          count);
      setChunkResult(chunk, 0, reduce.dot(g, diff, 0, count, partials));
      setChunkResult(chunk, 1, reduce.sumOfAbs(p.state(S), offset, count, partials));
    } else {
      kernel.apply(c, p.value, p.grad, p.state(EXP_AVG), p.state(EXP_AVG_SQ), offset, count);
    }
  }

  @Override
  boolean betweenPasses(int pass) {
    double[] numbers = group(0).numbers;
    double d = numbers[D];
    ProdigyOptions first = group(0).hyperparameters();
    double numerator = first.effectiveBeta3() * numbers[NUMERATOR];
    double denominator = 0;
    int n = groups().size();
    if (sums.length < 2 * n) {
      sums = new double[2 * n];
    }
    groupSums(sums);
    for (int g = 0; g < n; g++) { // in group order, as every rank does
      double d0 = group(g).hyperparameters().d0();
      numerator += (d / d0) * dlr * sums[2 * g];
      denominator += sums[2 * g + 1];
    }
    if (denominator == 0) {
      return false; // the reference returns: no progress to measure d by
    }
    double dMax = numbers[D_MAX];
    double dHat = first.dCoef() * numerator / denominator;
    if (d == first.d0()) {
      d = Math.max(d, dHat);
    }
    dMax = Math.max(dMax, dHat);
    d = Math.min(dMax, d * first.growthRate());
    for (ParamGroup<ProdigyOptions> g : groups()) {
      g.numbers[D] = d;
      g.numbers[D_MAX] = dMax;
      g.numbers[NUMERATOR] = numerator;
      g.numbers[K]++;
    }
    for (Parameter p : planParameters()) {
      ProdigyOptions h = group(p.group).hyperparameters();
      p.<ProdigyKernel.Coefficients>coefficients()
          .setStep(d, dlr, h.eps(), h.decouple() ? h.weightDecay() : 0);
    }
    return true;
  }
}
