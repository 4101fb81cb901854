package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prodigy's hyperparameters, the names, defaults and checks of konstmish's {@code Prodigy}: {@code
 * lr} (a multiplier of the estimated step, 1 by default), {@code beta1} and {@code beta2} ({@code
 * betas}), {@code beta3} (NaN for the reference's None: √β2), {@code eps}, {@code weightDecay},
 * {@code decouple} (AdamW's decay rather than an L2 term), {@code useBiasCorrection}, {@code
 * safeguardWarmup}, {@code d0} (the first estimate), {@code dCoef} and {@code growthRate} (how fast
 * d may grow per step; ∞ by default).
 */
public record ProdigyOptions(
    double lr,
    double beta1,
    double beta2,
    double beta3,
    double eps,
    double weightDecay,
    boolean decouple,
    boolean useBiasCorrection,
    boolean safeguardWarmup,
    double d0,
    double dCoef,
    double growthRate)
    implements Hyperparameters<ProdigyOptions> {

  /** The reference's defaults. */
  public static final ProdigyOptions DEFAULTS =
      new ProdigyOptions(
          1,
          0.9,
          0.999,
          Double.NaN,
          1e-8,
          0,
          true,
          false,
          false,
          1e-6,
          1,
          Double.POSITIVE_INFINITY);

  private static final Set<String> NAMES =
      Set.of(
          "lr",
          "betas",
          "beta3",
          "eps",
          "weight_decay",
          "decouple",
          "use_bias_correction",
          "safeguard_warmup",
          "d0",
          "d_coef",
          "growth_rate",
          "fsdp_in_use",
          "slice_p");

  /**
   * @throws IllegalArgumentException as the reference does (d0, lr and eps must be > 0, the betas
   *     in [0, 1)), and for what makes no sense though it does not check: a beta3 outside [0, 1], a
   *     negative weightDecay or dCoef, a growthRate below 1
   */
  public ProdigyOptions {
    Args.positive("lr", lr);
    Args.unitInterval("beta1", beta1);
    Args.unitInterval("beta2", beta2);
    if (!Double.isNaN(beta3)) {
      Args.fraction("beta3", beta3);
    }
    Args.positive("eps", eps);
    Args.nonNegative("weightDecay", weightDecay);
    Args.positive("d0", d0);
    Args.nonNegative("dCoef", dCoef);
    if (!(growthRate >= 1)) {
      throw new IllegalArgumentException(
          "growthRate must be >= 1 (or infinity), got " + growthRate);
    }
  }

  /** β3 as the step uses it: {@code beta3}, or √β2 where it is unset. */
  public double effectiveBeta3() {
    return Double.isNaN(beta3) ? Math.sqrt(beta2) : beta3;
  }

  /**
   * From the reference constructor's keyword arguments, its defaults for absent ones.
   *
   * @throws IllegalArgumentException also for {@code fsdp_in_use} true or {@code slice_p} ≠ 1,
   *     which Stride does not do (FSDP's all-reduce; statistics on every slice_p-th element only)
   */
  public static ProdigyOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Prodigy", kwargs, NAMES);
    if (k.bool("fsdp_in_use", false) || k.number("slice_p", 1) != 1) {
      throw new IllegalArgumentException(
          "Prodigy's fsdp_in_use and slice_p are not supported, got "
              + kwargs.get("fsdp_in_use")
              + " and "
              + kwargs.get("slice_p"));
    }
    ProdigyOptions d = DEFAULTS;
    double[] betas = k.pair("betas", d.beta1, d.beta2);
    return new ProdigyOptions(
        k.number("lr", d.lr),
        betas[0],
        betas[1],
        k.number("beta3", d.beta3),
        k.number("eps", d.eps),
        k.number("weight_decay", d.weightDecay),
        k.bool("decouple", d.decouple),
        k.bool("use_bias_correction", d.useBiasCorrection),
        k.bool("safeguard_warmup", d.safeguardWarmup),
        k.number("d0", d.d0),
        k.number("d_coef", d.dCoef),
        k.number("growth_rate", d.growthRate));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("betas", List.of(beta1, beta2));
    m.put("beta3", Double.isNaN(beta3) ? null : beta3);
    m.put("eps", eps);
    m.put("weight_decay", weightDecay);
    m.put("decouple", decouple);
    m.put("use_bias_correction", useBiasCorrection);
    m.put("safeguard_warmup", safeguardWarmup);
    m.put("d0", d0);
    m.put("d_coef", dCoef);
    m.put("growth_rate", growthRate);
    return m;
  }

  @Override
  public ProdigyOptions withLr(double lr) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  /** β1 */
  @Override
  public double momentum() {
    return beta1;
  }

  /** Sets β1, the coefficient one-cycle schedules cycle. */
  @Override
  public ProdigyOptions withMomentum(double beta1) {
    return withBetas(beta1, beta2);
  }

  public ProdigyOptions withBetas(double beta1, double beta2) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withBeta3(double beta3) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withEps(double eps) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  @Override
  public ProdigyOptions withWeightDecay(double weightDecay) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withDecouple(boolean decouple) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withUseBiasCorrection(boolean useBiasCorrection) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withSafeguardWarmup(boolean safeguardWarmup) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withD0(double d0) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withDCoef(double dCoef) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }

  public ProdigyOptions withGrowthRate(double growthRate) {
    return new ProdigyOptions(
        lr,
        beta1,
        beta2,
        beta3,
        eps,
        weightDecay,
        decouple,
        useBiasCorrection,
        safeguardWarmup,
        d0,
        dCoef,
        growthRate);
  }
}
