package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters of PyTorch's {@code torch.optim.Adafactor}, its names, defaults and checks:
 * {@code lr} (not a learning rate: the cap of the relative step min(lr, 1/√t), and the scale of the
 * weight decay), {@code beta2Decay} τ (the statistics' weight t^τ), {@code eps1} ε1 (NaN for
 * PyTorch's None: float32's machine epsilon), {@code eps2} ε2 (the floor of RMS(p)), {@code d} (the
 * clipping threshold of RMS(U)), {@code weightDecay} λ and {@code maximize}. Adafactor has no
 * momentum: {@link #momentum()} is 0 and a schedule cannot cycle one.
 */
public record AdafactorOptions(
    double lr,
    double beta2Decay,
    double eps1,
    double eps2,
    double d,
    double weightDecay,
    boolean maximize)
    implements Hyperparameters<AdafactorOptions> {

  /** PyTorch's defaults: lr = 1e-2, τ = −0.8, ε1 = None, ε2 = 1e-3, d = 1, λ = 0. */
  public static final AdafactorOptions DEFAULTS =
      new AdafactorOptions(1e-2, -0.8, Double.NaN, 1e-3, 1, 0, false);

  private static final Set<String> NAMES =
      Set.of("lr", "beta2_decay", "eps", "d", "weight_decay", "maximize");

  /**
   * @throws IllegalArgumentException as PyTorch's constructor does: unless lr ≥ 0, beta2Decay ≤ 0,
   *     eps1 ≥ 0 or NaN (None), eps2 ≥ 0, d ≥ 1 and weightDecay ≥ 0; and for an infinite lr,
   *     beta2Decay, eps or weightDecay, which PyTorch does not check
   */
  public AdafactorOptions {
    Args.nonNegative("lr", lr);
    if (!(beta2Decay <= 0) || beta2Decay == Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException(
          "beta2Decay must be a finite number <= 0, got " + beta2Decay);
    }
    if (!Double.isNaN(eps1)) {
      Args.nonNegative("eps1", eps1);
    }
    Args.nonNegative("eps2", eps2);
    if (!(d >= 1)) {
      throw new IllegalArgumentException("d must be >= 1 (or infinity), got " + d);
    }
    Args.nonNegative("weightDecay", weightDecay);
  }

  /** ε1 as the step uses it: {@code eps1}, or float32's machine epsilon 2⁻²³ where it is None. */
  public double effectiveEps1() {
    return Double.isNaN(eps1) ? Math.ulp(1f) : eps1;
  }

  /**
   * From the keyword arguments of {@code torch.optim.Adafactor}, its defaults for absent ones;
   * {@code eps} is a list of two, whose first may be None (null).
   *
   * @throws IllegalArgumentException if an argument is unknown or a value is refused
   */
  public static AdafactorOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("Adafactor", kwargs, NAMES);
    AdafactorOptions d = DEFAULTS;
    double[] eps = k.pairOfOptionals("eps", d.eps1, d.eps2);
    if (Double.isNaN(eps[1])) {
      throw new IllegalArgumentException(
          "Adafactor argument eps must have a number second, got " + kwargs.get("eps"));
    }
    return new AdafactorOptions(
        k.number("lr", d.lr),
        k.number("beta2_decay", d.beta2Decay),
        eps[0],
        eps[1],
        k.number("d", d.d),
        k.number("weight_decay", d.weightDecay),
        k.bool("maximize", d.maximize));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("beta2_decay", beta2Decay);
    m.put("eps", Arrays.asList(Double.isNaN(eps1) ? null : eps1, eps2));
    m.put("d", d);
    m.put("weight_decay", weightDecay);
    m.put("maximize", maximize);
    return m;
  }

  @Override
  public AdafactorOptions withLr(double lr) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }

  /** 0: Adafactor has no momentum. */
  @Override
  public double momentum() {
    return 0;
  }

  /**
   * @throws IllegalArgumentException unless {@code momentum} is 0: Adafactor has none to cycle
   */
  @Override
  public AdafactorOptions withMomentum(double momentum) {
    Args.zero("momentum", momentum, "PyTorch's Adafactor has no momentum for a schedule to cycle");
    return this;
  }

  public AdafactorOptions withBeta2Decay(double beta2Decay) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }

  /**
   * @param eps1 ε1, or NaN for PyTorch's None
   */
  public AdafactorOptions withEps(double eps1, double eps2) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }

  public AdafactorOptions withD(double d) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }

  @Override
  public AdafactorOptions withWeightDecay(double weightDecay) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }

  public AdafactorOptions withMaximize(boolean maximize) {
    return new AdafactorOptions(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize);
  }
}
