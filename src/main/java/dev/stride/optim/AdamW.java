package dev.stride.optim;

import dev.stride.kernel.UpdateKernels;

/**
 * AdamW, as PyTorch's {@code torch.optim.AdamW}: {@link Adam} with decoupled weight decay. Before
 * Adam's update, and instead of adding λ·p to the gradient:
 *
 * <pre>
 *   p = (1 − η·λ)·p
 * </pre>
 */
public final class AdamW extends Adam {

  /** With PyTorch's defaults, {@link AdamOptions#ADAMW_DEFAULTS}. */
  public AdamW() {
    this(AdamOptions.ADAMW_DEFAULTS);
  }

  public AdamW(AdamOptions hyperparameters) {
    this(hyperparameters, defaultKernels());
  }

  /** With the given kernels instead of the JVM's default ones. */
  public AdamW(AdamOptions hyperparameters, UpdateKernels kernels) {
    super(hyperparameters, kernels, true);
  }
}
