package dev.stride.optim;

import java.util.Map;

/**
 * Stride's optimizer for a {@code torch.optim} class and its keyword arguments, with PyTorch's
 * defaults for absent ones: {@code create("AdamW", Map.of("lr", 3e-4))}; for a rule outside {@code
 * torch.optim}, its reference class as {@code golden/FORMAT.md} names it ({@code "Lion"}, {@code
 * "SGDScheduleFree"}, {@code "AdamWScheduleFree"}, …) and that constructor's arguments and
 * defaults. What a checkpoint's {@code param_groups} and the PyTorch reference files name, made
 * into Stride's rules ({@link Rules}).
 */
public final class PyTorchOptimizers {
  private PyTorchOptimizers() {}

  /**
   * @throws IllegalArgumentException if Stride has no rule of that name, or an argument is unknown
   *     to it or refused
   */
  public static Optimizer<?> create(String pytorchName, Map<String, ?> kwargs) {
    return create(pytorchName, kwargs, Kernels.DEFAULT);
  }

  /** As {@link #create(String, Map)}, with the given kernels. */
  public static Optimizer<?> create(String pytorchName, Map<String, ?> kwargs, Kernels kernels) {
    return create(Rules.named(pytorchName), kwargs, kernels);
  }

  private static <H extends Hyperparameters<H>> Optimizer<H> create(
      Rule<H> rule, Map<String, ?> kwargs, Kernels kernels) {
    return rule.create(rule.fromPyTorch(kwargs), kernels);
  }
}
