package dev.stride.optim;

import dev.stride.kernel.Kernels;
import dev.stride.kernel.UpdateKernels;
import java.util.Map;

/**
 * Stride's optimizer for a {@code torch.optim} class and its keyword arguments, with PyTorch's
 * defaults for absent ones: {@code create("AdamW", Map.of("lr", 3e-4))}; for a rule outside {@code
 * torch.optim}, its reference class as {@code golden/FORMAT.md} names it ({@code "Lion"}, {@code
 * "SGDScheduleFree"}, {@code "AdamWScheduleFree"}) and that constructor's arguments and defaults.
 * What a checkpoint's {@code param_groups} and the PyTorch reference files name, made into Stride's
 * rules.
 */
public final class PyTorchOptimizers {
  private PyTorchOptimizers() {}

  /**
   * @throws IllegalArgumentException if Stride has no rule of that name, or an argument is unknown
   *     to it or refused
   */
  public static Optimizer<?> create(String pytorchName, Map<String, ?> kwargs) {
    return create(pytorchName, kwargs, Kernels.get());
  }

  /** As {@link #create(String, Map)}, with the given kernels. */
  public static Optimizer<?> create(
      String pytorchName, Map<String, ?> kwargs, UpdateKernels kernels) {
    return switch (pytorchName) {
      case "SGD" -> new Sgd(SgdOptions.fromPyTorch(kwargs), kernels);
      case "Adam" -> new Adam(AdamOptions.fromPyTorch(kwargs, AdamOptions.ADAM_DEFAULTS), kernels);
      case "AdamW" ->
          new AdamW(AdamOptions.fromPyTorch(kwargs, AdamOptions.ADAMW_DEFAULTS), kernels);
      case "Adagrad" -> new Adagrad(AdagradOptions.fromPyTorch(kwargs), kernels);
      case "RMSprop" -> new Rmsprop(RmspropOptions.fromPyTorch(kwargs), kernels);
      case "Adadelta" -> new Adadelta(AdadeltaOptions.fromPyTorch(kwargs), kernels);
      case "Adamax" -> new Adamax(AdamaxOptions.fromPyTorch(kwargs), kernels);
      case "NAdam" -> new NAdam(NAdamOptions.fromPyTorch(kwargs), kernels);
      case "RAdam" -> new RAdam(RAdamOptions.fromPyTorch(kwargs), kernels);
      case "ASGD" -> new Asgd(AsgdOptions.fromPyTorch(kwargs), kernels);
      case "Rprop" -> new Rprop(RpropOptions.fromPyTorch(kwargs), kernels);
      case "Lamb" -> new Lamb(LambOptions.fromPyTorch(kwargs), kernels);
      case "LARS" -> new Lars(LarsOptions.fromPyTorch(kwargs), kernels);
      case "Prodigy" -> new Prodigy(ProdigyOptions.fromPyTorch(kwargs), kernels);
      case "Lion" -> new Lion(LionOptions.fromPyTorch(kwargs), kernels);
      case "SGDScheduleFree" ->
          new SgdScheduleFree(SgdScheduleFreeOptions.fromPyTorch(kwargs), kernels);
      case "AdamWScheduleFree" ->
          new AdamWScheduleFree(AdamWScheduleFreeOptions.fromPyTorch(kwargs), kernels);
      default -> throw new IllegalArgumentException("Stride has no rule " + pytorchName);
    };
  }
}
