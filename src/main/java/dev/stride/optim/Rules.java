package dev.stride.optim;

import java.util.List;

/**
 * Every rule Stride has, by name: what {@link PyTorchOptimizers} makes from a {@code torch.optim}
 * class name, and what checkpoints and the benchmarks enumerate. A new rule adds its {@code RULE}
 * here.
 */
public final class Rules {
  private static final List<Rule<?>> ALL =
      List.of(
          Sgd.RULE,
          Adam.RULE,
          AdamW.RULE,
          Adagrad.RULE,
          Rmsprop.RULE,
          Adadelta.RULE,
          Adamax.RULE,
          NAdam.RULE,
          RAdam.RULE,
          Asgd.RULE,
          Rprop.RULE,
          Lamb.RULE,
          Lars.RULE,
          Prodigy.RULE,
          Lion.RULE,
          SgdScheduleFree.RULE,
          AdamWScheduleFree.RULE);

  private Rules() {}

  /** Every rule, torch.optim's first. */
  public static List<Rule<?>> all() {
    return ALL;
  }

  /**
   * The rule of that {@code torch.optim} (or reference) class name.
   *
   * @throws IllegalArgumentException if Stride has none, naming the ones it has
   */
  public static Rule<?> named(String name) {
    for (Rule<?> r : ALL) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "Stride has no rule " + name + "; it has " + ALL.stream().map(Rule::name).toList());
  }
}
