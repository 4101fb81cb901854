package dev.stride.optim;

/**
 * A parameter group's hyperparameters: an immutable value, validated when made, that a schedule can
 * replace between steps through {@link ParamGroup#setHyperparameters}.
 *
 * @param <H> the rule's own hyperparameter type
 */
public interface Hyperparameters<H extends Hyperparameters<H>> {

  /** The learning rate η. */
  double lr();

  H withLr(double lr);

  /**
   * The coefficient a cyclic schedule cycles against the rate: SGD's and RMSprop's momentum,
   * Adam's, Adamax's, NAdam's, RAdam's and Lion's β1, Schedule-Free's interpolation β (its momentum
   * or β1); 0 for a rule that has none (Adagrad, Adadelta, ASGD, Rprop), whose {@link
   * #withMomentum} refuses any other value.
   */
  double momentum();

  H withMomentum(double momentum);

  /**
   * The weight decay λ; 0 for Rprop, which has none and whose {@link #withWeightDecay} refuses any
   * other value.
   */
  double weightDecay();

  H withWeightDecay(double weightDecay);

  /**
   * These hyperparameters under PyTorch's names, as its {@code param_groups} hold them (pairs such
   * as {@code betas} as lists), in a fixed order.
   */
  java.util.Map<String, Object> toPyTorch();
}
