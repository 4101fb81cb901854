package dev.stride.optim;

/**
 * AdamW, as PyTorch's {@code torch.optim.AdamW}: {@link Adam} with decoupled weight decay. Before
 * Adam's update, and instead of adding λ·p to the gradient:
 *
 * <pre>
 *   p = (1 − η·λ)·p
 * </pre>
 */
public final class AdamW extends Adam {
  /** The rule: its name, its state under PyTorch's keys, how it is made. */
  public static final Rule<AdamOptions> RULE =
      rule("AdamW", AdamOptions.ADAMW_DEFAULTS, AdamW::new);

  public AdamW(AdamOptions hyperparameters) {
    this(hyperparameters, Kernels.DEFAULT);
  }

  /** With the given kernels instead of the JVM's default ones. */
  public AdamW(AdamOptions hyperparameters, Kernels kernels) {
    super(RULE, hyperparameters, kernels);
  }
}
