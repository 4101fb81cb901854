package dev.stride.optim;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.ProdigyKernel;
import dev.stride.kernel.ReduceKernel;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.MemorySegment;
import java.util.List;

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
 *                  A += (d/d0)·dlr·⟨g, p0 − p⟩
 *                  m, v, s as {@link ProdigyKernel} says;   S += Σ|s|
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
  private static final List<String> STATE_KEYS = List.of("p0", "s", "exp_avg", "exp_avg_sq");
  private static final int P0 = 0;
  private static final int S = 1;
  private static final int EXP_AVG = 2;
  private static final int EXP_AVG_SQ = 3;
  private static final List<String> GROUP_KEYS = List.of("d", "d_max", "d_numerator", "k");
  private static final int D = 0;
  private static final int D_MAX = 1;
  private static final int NUMERATOR = 2;
  private static final int K = 3;
  private final ProdigyKernel kernel;
  private final ReduceKernel reduce;

  /** This step's d·lr·bias correction, from {@link #prepareGroup} on the first group. */
  private double dlr;

  /** With the reference's defaults, {@link ProdigyOptions#DEFAULTS}. */
  public Prodigy() {
    this(ProdigyOptions.DEFAULTS);
  }

  public Prodigy(ProdigyOptions hyperparameters) {
    this(hyperparameters, defaultKernels());
  }

  /** With the given kernels instead of the JVM's default ones. */
  public Prodigy(ProdigyOptions hyperparameters, UpdateKernels kernels) {
    super(hyperparameters, kernels);
    this.kernel = kernels.prodigy();
    this.reduce = kernels.reduce();
  }

  /** The estimate d after the last step: d0 before the first. */
  public double d() {
    return group(0).scalars[D];
  }

  @Override
  public String pytorchName() {
    return "Prodigy";
  }

  @Override
  List<String> stateKeys() {
    return STATE_KEYS;
  }

  @Override
  boolean pytorchKeepsStep() {
    return true;
  }

  @Override
  List<String> groupScalarKeys() {
    return GROUP_KEYS;
  }

  /** A group joins the estimate as it stands; the first starts it at d0. */
  @Override
  double[] newGroupScalars(ProdigyOptions h) {
    return groups().isEmpty() ? new double[] {h.d0(), h.d0(), 0, 0} : group(0).scalars.clone();
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
  void allocateState(ProdigyOptions h, Parameter p, StateMemory memory) {
    if (!p.isAllocated(P0)) {
      p.allocate(P0, memory);
      p.state(P0).copyFrom(p.value); // the starting point the estimate measures from
    }
    p.allocate(S, memory);
    if (h.beta1() > 0) {
      p.allocate(EXP_AVG, memory);
    }
    p.allocate(EXP_AVG_SQ, memory);
  }

  @Override
  GradientCoefficients newCoefficients() {
    return new ProdigyKernel.Coefficients();
  }

  @Override
  void prepareGroup(ParamGroup<ProdigyOptions> group) {
    if (group.index() == 0) {
      ProdigyOptions h = group.hyperparameters();
      double k = group.scalars[K];
      double bc =
          h.useBiasCorrection()
              ? Math.sqrt(1 - Math.pow(h.beta2(), k + 1)) / (1 - Math.pow(h.beta1(), k + 1))
              : 1;
      dlr = group.scalars[D] * h.lr() * bc;
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
  int passes() {
    return 2;
  }

  @Override
  int chunkResults() {
    return 2;
  }

  @Override
  int scratchFloats() {
    return 2;
  }

  @Override
  void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    ProdigyKernel.Coefficients c = p.coefficients();
    if (pass == 0) {
      MemorySegment g = scratch(worker, 0);
      MemorySegment diff = scratch(worker, 1);
      double[] lanes = lanes(worker);
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
      setChunkResult(chunk, 0, reduce.dot(g, diff, 0, count, lanes));
      setChunkResult(chunk, 1, reduce.sumOfAbs(p.state(S), offset, count, lanes));
    } else {
      kernel.apply(c, p.value, p.grad, p.state(EXP_AVG), p.state(EXP_AVG_SQ), offset, count);
    }
  }

  @Override
  boolean betweenPasses(int pass) {
    double[] scalars = group(0).scalars;
    double d = scalars[D];
    ProdigyOptions first = group(0).hyperparameters();
    double numerator = first.effectiveBeta3() * scalars[NUMERATOR];
    double denominator = 0;
    Parameter[] parameters = planParameters();
    for (int j = 0; j < parameters.length; j++) {
      double d0 = group(parameters[j].group).hyperparameters().d0();
      numerator += (d / d0) * dlr * sumOfChunkResults(j, 0);
      denominator += sumOfChunkResults(j, 1);
    }
    if (denominator == 0) {
      return false; // the reference returns: no progress to measure d by
    }
    double dMax = scalars[D_MAX];
    double dHat = first.dCoef() * numerator / denominator;
    if (d == first.d0()) {
      d = Math.max(d, dHat);
    }
    dMax = Math.max(dMax, dHat);
    d = Math.min(dMax, d * first.growthRate());
    for (ParamGroup<ProdigyOptions> g : groups()) {
      g.scalars[D] = d;
      g.scalars[D_MAX] = dMax;
      g.scalars[NUMERATOR] = numerator;
      g.scalars[K]++;
    }
    for (Parameter p : parameters) {
      ProdigyOptions h = group(p.group).hyperparameters();
      p.<ProdigyKernel.Coefficients>coefficients()
          .setStep(d, dlr, h.eps(), h.decouple() ? h.weightDecay() : 0);
    }
    return true;
  }
}
