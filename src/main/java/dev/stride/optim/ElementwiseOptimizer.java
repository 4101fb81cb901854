package dev.stride.optim;

/**
 * A rule whose step updates every element from that element alone: one pass over the parameters, no
 * reduction. Most rules are such; LAMB, LARS and Prodigy are not.
 *
 * @param <H> the rule's hyperparameters
 */
abstract class ElementwiseOptimizer<H extends Hyperparameters<H>> extends Optimizer<H> {

  ElementwiseOptimizer(Rule<H> rule, H hyperparameters, Kernels kernels) {
    super(rule, hyperparameters, kernels);
  }

  /** Applies the rule to elements {@code [offset, offset + count)} of {@code p}. */
  abstract void update(Parameter p, long offset, long count);

  @Override
  final void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    update(p, offset, count);
  }
}
