package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.internal.Kwargs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * LARS's hyperparameters, the names of barlowtwins' {@code LARS}: {@code lr} η, {@code weightDecay}
 * λ, {@code momentum} m, {@code eta} (the trust coefficient), and the filters {@code
 * weightDecayFilter} and {@code larsAdaptationFilter}, which exempt 1-D tensors (biases, norm
 * layers) from the weight decay and from the trust ratio. The reference checks nothing; these
 * refuse what makes no sense: negative or non-finite values.
 */
public record LarsOptions(
    double lr,
    double weightDecay,
    double momentum,
    double eta,
    boolean weightDecayFilter,
    boolean larsAdaptationFilter)
    implements Hyperparameters<LarsOptions> {
  private static final Set<String> NAMES =
      Set.of(
          "lr", "weight_decay", "momentum", "eta", "weight_decay_filter", "lars_adaptation_filter");

  public LarsOptions {
    Args.nonNegative("lr", lr);
    Args.nonNegative("weightDecay", weightDecay);
    Args.nonNegative("momentum", momentum);
    Args.nonNegative("eta", eta);
  }

  /**
   * At rate {@code lr} (the reference has no default), with its defaults: momentum 0.9, eta 0.001.
   */
  public static LarsOptions of(double lr) {
    return new LarsOptions(lr, 0, 0.9, 0.001, false, false);
  }

  /**
   * From the reference constructor's keyword arguments.
   *
   * @throws IllegalArgumentException if {@code lr} is absent (the reference requires it), an
   *     argument is unknown, or a value is refused
   */
  public static LarsOptions fromPyTorch(Map<String, ?> kwargs) {
    Kwargs k = new Kwargs("LARS", kwargs, NAMES);
    if (!k.has("lr")) {
      throw new IllegalArgumentException("LARS needs lr: the reference has no default");
    }
    LarsOptions d = of(k.number("lr", 0));
    return new LarsOptions(
        d.lr,
        k.number("weight_decay", d.weightDecay),
        k.number("momentum", d.momentum),
        k.number("eta", d.eta),
        k.bool("weight_decay_filter", false),
        k.bool("lars_adaptation_filter", false));
  }

  @Override
  public Map<String, Object> toPyTorch() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("weight_decay", weightDecay);
    m.put("momentum", momentum);
    m.put("eta", eta);
    m.put("weight_decay_filter", weightDecayFilter);
    m.put("lars_adaptation_filter", larsAdaptationFilter);
    return m;
  }

  @Override
  public LarsOptions withLr(double lr) {
    return new LarsOptions(lr, weightDecay, momentum, eta, weightDecayFilter, larsAdaptationFilter);
  }

  @Override
  public LarsOptions withMomentum(double momentum) {
    return new LarsOptions(lr, weightDecay, momentum, eta, weightDecayFilter, larsAdaptationFilter);
  }

  @Override
  public LarsOptions withWeightDecay(double weightDecay) {
    return new LarsOptions(lr, weightDecay, momentum, eta, weightDecayFilter, larsAdaptationFilter);
  }

  public LarsOptions withEta(double eta) {
    return new LarsOptions(lr, weightDecay, momentum, eta, weightDecayFilter, larsAdaptationFilter);
  }

  public LarsOptions withWeightDecayFilter(boolean filter) {
    return new LarsOptions(lr, weightDecay, momentum, eta, filter, larsAdaptationFilter);
  }

  public LarsOptions withLarsAdaptationFilter(boolean filter) {
    return new LarsOptions(lr, weightDecay, momentum, eta, weightDecayFilter, filter);
  }
}
