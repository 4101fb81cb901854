package dev.stride.optim;

import dev.stride.kernel.LerpKernel;

/**
 * What Schedule-Free SGD and AdamW (Defazio et al., "The Road Less Scheduled") share: the averaging
 * of the iterates, driven by per-group numbers, and the switch between the point the gradient is
 * taken at and the averaged point, as the reference classes of facebookresearch/schedule_free
 * compute them. Per step of a group, in double (t = 1, 2, … counts the group's steps):
 *
 * <pre>
 *   γ         = η · min(1, t / warmupSteps)              (η if warmupSteps is 0)
 *   lr_max    = max(lr_max, γ)                           (−1 before the first step)
 *   w_t       = t^r · lr_max^weightLrPower
 *   weight_sum = weight_sum + w_t
 *   c         = w_t / weight_sum                         (0 if weight_sum is 0; 1 at t = 1)
 * </pre>
 *
 * and per parameter, with z, x and y starting as copies of p and {@code d} the rule's step
 * direction (the gradient for SGD, Adam's normalized one plus the decay for AdamW):
 *
 * <pre>
 *   z = z − γ·d
 *   x = (1 − c)·x + c·z                 the average: what a trainer evaluates
 *   y = β·x + (1 − β)·z                 where the next gradient is taken; p holds y while training
 * </pre>
 *
 * with β the rule's {@link Hyperparameters#momentum()} (SGD's momentum, AdamW's β1).
 *
 * <p><b>Memory-lean form.</b> Only z is kept; p holds y and x is implied, {@code x = (y − (1 −
 * β′)·z) / β′} with β′ the β that formed the current y. Substituting it, one step is
 *
 * <pre>
 *   y = y + w·(z − y) + e·d,   z = z − γ·d       (the first with z before this step)
 *   w = 1 − (β/β′)·(1 − c),    e = γ·(β·(1 − c) − 1)
 * </pre>
 *
 * which for a constant β is the repository's optimized form (w = c). Against the reference form (z,
 * x and y kept) this saves a buffer, and a read and a write of one, per element and step, and it
 * stays within the tolerance of the reference's trajectories ({@code golden/FORMAT.md}): the golden
 * cases' worst error is 3 % of it for SGD and 7 % for AdamW, in y and in x alike. β′ is kept per
 * group, so a β changed between steps still gives the reference's x (without it, a change from 0.9
 * to 0.6 put y thousands of tolerances off). The cost is in switching: {@link #eval()} computes
 * {@code x = y + (1 − 1/β′)·(z − y)} and {@link #train()} {@code y = x + (1 − β′)·(z − x)}, so a
 * round trip gives y back to about an ulp, not to the bit (the reference copies a kept y), and x is
 * less precise as β′ nears 0, where 1/β′ amplifies the roundings of y and z.
 *
 * <p><b>Train and eval.</b> An optimizer starts in eval mode, as the reference does, and {@link
 * #step()} is refused until {@link #train()}; call {@link #eval()} before evaluating or saving and
 * {@link #train()} before training again. Switching touches only parameters that have stepped;
 * before its first step a parameter is its own x, y and z. A snapshot carries the mode with the
 * values, so a restore puts back a consistent pair; groups added later start in the optimizer's
 * current mode.
 *
 * <p>Per-group numbers (in the reference's {@code param_groups}): {@code k} (steps taken), {@code
 * lr_max}, {@code weight_sum}, {@code train_mode} (1 or 0), and Stride's own {@code y_momentum}, β′
 * above. The reference keeps no per-parameter step count.
 *
 * @param <H> the rule's hyperparameters
 */
public abstract sealed class ScheduleFree<H extends ScheduleFree.Averaging<H>>
    extends ElementwiseOptimizer<H> permits SgdScheduleFree, AdamWScheduleFree {

  /** The hyperparameters of the averaging, which both rules have, under the reference's names. */
  public interface Averaging<H extends Averaging<H>> extends Hyperparameters<H> {
    /** {@code warmup_steps}: γ rises linearly from η/warmupSteps to η over this many steps. */
    long warmupSteps();

    /** {@code r}: the average weights step t by t^r; larger r favours later steps. */
    double r();

    /**
     * {@code weight_lr_power}: the average also weights a step by lr_max to this power, so steps
     * taken during warmup count less; 0 with r = 0 is a uniform average.
     */
    double weightLrPower();
  }

  static final int K = 0;
  static final int LR_MAX = 1;
  static final int WEIGHT_SUM = 2;
  static final int TRAIN_MODE = 3;
  static final int Y_MOMENTUM = 4;

  /** The per-group numbers both rules keep, in this order. */
  static final String[] GROUP_NUMBERS = {"k", "lr_max", "weight_sum", "train_mode", "y_momentum"};

  /** The state slot of z, in both rules. */
  static final int Z = 0;

  /** The group numbers' step, from {@link #prepareGroup} for {@link #prepare} of its parameters. */
  final GroupStep groupStep = new GroupStep();

  static final class GroupStep {
    /** γ. */
    double lr;

    double averageWeight;
    double gradientWeight;

    /** t. */
    long t;
  }

  private final LerpKernel lerp = kernel(LerpKernel.class);

  ScheduleFree(Rule<H> rule, H hyperparameters, Kernels kernels) {
    super(rule, hyperparameters, kernels);
  }

  /**
   * Puts every parameter at y, where gradients are taken, for training; nothing if already there.
   *
   * @throws IllegalStateException as {@link #step()} does, before any parameter is touched
   * @throws WrongThreadException as {@link #step()} does, before any parameter is touched
   */
  public void train() {
    switchTo(true);
  }

  /**
   * Puts every parameter at the averaged point x, where a trainer evaluates (and saves); nothing if
   * already there. {@link #step()} is refused until {@link #train()}.
   *
   * @throws IllegalStateException as {@link #step()} does, before any parameter is touched
   * @throws WrongThreadException as {@link #step()} does, before any parameter is touched
   */
  public void eval() {
    switchTo(false);
  }

  /** Whether the parameters hold y (train mode) rather than x (eval mode). */
  public boolean isTraining() {
    return group(0).numbers[TRAIN_MODE] == 1;
  }

  private void switchTo(boolean training) {
    checkOpen();
    checkParametersReachable();
    for (ParamGroup<H> group : groups()) {
      double[] s = group.numbers;
      if ((s[TRAIN_MODE] == 1) == training) {
        continue;
      }
      double momentum = s[Y_MOMENTUM];
      float weight = (float) (training ? 1 - momentum : 1 - 1 / momentum);
      for (Parameter p : group.parameters()) {
        if (p.isAllocated(Z)) {
          lerp.lerp(p.value, p.state(Z), weight, 0, p.count);
        }
      }
      s[TRAIN_MODE] = training ? 1 : 0;
    }
  }

  @Override
  final void checkCanStep() {
    if (!isTraining()) {
      throw new IllegalStateException(
          rule()
              + " is in eval mode, its parameters at the"
              + " averaged point x: call train() before step(); nothing was updated");
    }
  }

  @Override
  final double[] newGroupNumbers(H hyperparameters) {
    double trainMode = groups().isEmpty() ? 0 : group(0).numbers[TRAIN_MODE];
    return new double[] {0, -1, 0, trainMode, 0};
  }

  @Override
  final void prepareGroup(ParamGroup<H> group) {
    H h = group.hyperparameters();
    double[] s = group.numbers;
    double k = s[K];
    double t = k + 1;
    double lr = h.lr() * (k < h.warmupSteps() ? t / h.warmupSteps() : 1);
    s[LR_MAX] = Math.max(lr, s[LR_MAX]);
    double weight = Math.pow(t, h.r()) * Math.pow(s[LR_MAX], h.weightLrPower());
    s[WEIGHT_SUM] += weight;
    double c = s[WEIGHT_SUM] == 0 ? 0 : weight / s[WEIGHT_SUM];
    double momentum = h.momentum();
    // On a group's first step every z is fresh (z = y), and β′ does not matter.
    double ratio = k == 0 ? 1 : momentum / s[Y_MOMENTUM];
    groupStep.lr = lr;
    groupStep.averageWeight = c + (1 - ratio) * (1 - c);
    groupStep.gradientWeight = lr * (momentum * (1 - c) - 1);
    groupStep.t = (long) t;
    s[K] = t;
    s[Y_MOMENTUM] = momentum;
  }
}
