package dev.stride.bench;

import dev.stride.bench.UpdateRuleBenchmark.Rule;
import dev.stride.kernel.AdadeltaKernel;
import dev.stride.kernel.AdagradKernel;
import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.AdamWScheduleFreeKernel;
import dev.stride.kernel.AdamaxKernel;
import dev.stride.kernel.LionKernel;
import dev.stride.kernel.RmspropKernel;
import dev.stride.kernel.SgdKernel;
import dev.stride.kernel.SgdScheduleFreeKernel;
import dev.stride.kernel.UpdateKernels;
import java.lang.foreign.MemorySegment;

/**
 * One step of a rule, through the kernels or the trainer's {@code float[]} loop: Lion's moment and
 * Schedule-Free's z in {@code expAvg}, Schedule-Free AdamW's v in {@code expAvgSq}. The coefficients
 * are computed on every call, as the optimizer computes them on every step.
 */
final class RuleStep {
  private final Rule rule;
  private final SgdKernel.Coefficients sgd = new SgdKernel.Coefficients();
  private final AdamKernel.Coefficients adam = new AdamKernel.Coefficients();
  private final AdagradKernel.Coefficients adagrad = new AdagradKernel.Coefficients();
  private final RmspropKernel.Coefficients rmsprop = new RmspropKernel.Coefficients();
  private final AdadeltaKernel.Coefficients adadelta = new AdadeltaKernel.Coefficients();
  private final AdamaxKernel.Coefficients adamax = new AdamaxKernel.Coefficients();
  private final LionKernel.Coefficients lion = new LionKernel.Coefficients();
  private final SgdScheduleFreeKernel.Coefficients sgdScheduleFree =
      new SgdScheduleFreeKernel.Coefficients();
  private final AdamWScheduleFreeKernel.Coefficients adamWScheduleFree =
      new AdamWScheduleFreeKernel.Coefficients();
  private long step;

  RuleStep(Rule rule) {
    this.rule = rule;
  }

  void floatArray(ArrayBuffers a) {
    step++;
    switch (rule) {
      case SGD -> TrainerLoops.sgd(a.param, a.grad, Rule.SGD_LR);
      case SGD_MOMENTUM -> TrainerLoops.sgdMomentum(a.param, a.grad, a.expAvg, Rule.SGD_LR,
          Rule.MOMENTUM, 0);
      case ADAM -> TrainerLoops.adam(a.param, a.grad, a.expAvg, a.expAvgSq, step, Rule.ADAM_LR,
          Rule.BETA1, Rule.BETA2, Rule.EPS, 0, false);
      case ADAMW -> TrainerLoops.adam(a.param, a.grad, a.expAvg, a.expAvgSq, step, Rule.ADAM_LR,
          Rule.BETA1, Rule.BETA2, Rule.EPS, Rule.ADAMW_WEIGHT_DECAY, true);
      case ADAGRAD -> TrainerLoops.adagrad(a.param, a.grad, a.expAvgSq, step, Rule.ADAGRAD_LR, 0,
          Rule.ADAGRAD_EPS);
      case RMSPROP -> TrainerLoops.rmsprop(a.param, a.grad, a.expAvgSq, Rule.RMSPROP_LR,
          Rule.RMSPROP_ALPHA, Rule.EPS);
      case ADADELTA -> TrainerLoops.adadelta(a.param, a.grad, a.expAvgSq, a.accDelta,
          Rule.ADADELTA_LR, Rule.ADADELTA_RHO, Rule.ADADELTA_EPS);
      case ADAMAX -> TrainerLoops.adamax(a.param, a.grad, a.expAvg, a.expAvgSq, step,
          Rule.ADAMAX_LR, Rule.BETA1, Rule.BETA2, Rule.EPS);
      case LION -> TrainerLoops.lion(a.param, a.grad, a.expAvg, Rule.LION_LR, Rule.BETA1,
          Rule.LION_BETA2, Rule.LION_WEIGHT_DECAY);
      case SGD_SCHEDULE_FREE -> TrainerLoops.sgdScheduleFree(a.param, a.grad, a.expAvg,
          Rule.SGD_SCHEDULE_FREE_LR, (float) averageWeight(), Rule.MOMENTUM);
      case ADAMW_SCHEDULE_FREE -> TrainerLoops.adamWScheduleFree(a.param, a.grad, a.expAvg,
          a.expAvgSq, step, Rule.ADAMW_SCHEDULE_FREE_LR, (float) averageWeight(), Rule.BETA1,
          Rule.BETA2, Rule.EPS);
    }
  }

  /** Schedule-Free's c at a constant rate with the default weight_lr_power 2: 1/t. */
  private double averageWeight() {
    return 1.0 / step;
  }

  /** Schedule-Free's e = γ·(β·(1 − c) − 1). */
  private double gradientWeight(double lr) {
    return lr * (Rule.BETA1 * (1 - averageWeight()) - 1);
  }

  void kernel(UpdateKernels kernels, SegmentBuffers s) {
    step++;
    switch (rule) {
      case SGD -> kernels.sgd().update(sgd.set(Rule.SGD_LR, 0, 0, 0, false, false, false), s.param, s.grad,
          MemorySegment.NULL, 0, s.size);
      case SGD_MOMENTUM -> kernels.sgd().update(sgd.set(Rule.SGD_LR, Rule.MOMENTUM, 0, 0, false, false,
          false), s.param, s.grad, s.expAvg, 0, s.size);
      case ADAM -> kernels.adam().update(adam.set(Rule.ADAM_LR, Rule.BETA1, Rule.BETA2, Rule.EPS, 0, false,
          false, false, step), s.param, s.grad, s.expAvg, s.expAvgSq, MemorySegment.NULL, 0,
          s.size);
      case ADAMW -> kernels.adam().update(adam.set(Rule.ADAM_LR, Rule.BETA1, Rule.BETA2, Rule.EPS,
          Rule.ADAMW_WEIGHT_DECAY, true, false, false, step), s.param, s.grad, s.expAvg,
          s.expAvgSq, MemorySegment.NULL, 0, s.size);
      case ADAGRAD -> kernels.adagrad().update(adagrad.set(Rule.ADAGRAD_LR, 0, Rule.ADAGRAD_EPS, 0,
          false, step), s.param, s.grad, s.expAvgSq, 0, s.size);
      case RMSPROP -> kernels.rmsprop().update(rmsprop.set(Rule.RMSPROP_LR, Rule.RMSPROP_ALPHA,
          Rule.EPS, 0, 0, false, false), s.param, s.grad, s.expAvgSq, MemorySegment.NULL,
          MemorySegment.NULL, 0, s.size);
      case ADADELTA -> kernels.adadelta().update(adadelta.set(Rule.ADADELTA_LR, Rule.ADADELTA_RHO,
          Rule.ADADELTA_EPS, 0, false), s.param, s.grad, s.expAvgSq, s.accDelta, 0, s.size);
      case ADAMAX -> kernels.adamax().update(adamax.set(Rule.ADAMAX_LR, Rule.BETA1, Rule.BETA2,
          Rule.EPS, 0, false, step), s.param, s.grad, s.expAvg, s.expAvgSq, 0, s.size);
      case LION -> kernels.lion().update(lion.set(Rule.LION_LR, Rule.BETA1, Rule.LION_BETA2,
          Rule.LION_WEIGHT_DECAY), s.param, s.grad, s.expAvg, 0, s.size);
      case SGD_SCHEDULE_FREE -> kernels.sgdScheduleFree().update(sgdScheduleFree.set(
          Rule.SGD_SCHEDULE_FREE_LR, averageWeight(), gradientWeight(Rule.SGD_SCHEDULE_FREE_LR), 0,
          false), s.param, s.grad, s.expAvg, 0, s.size);
      case ADAMW_SCHEDULE_FREE -> kernels.adamWScheduleFree().update(adamWScheduleFree.set(
          Rule.ADAMW_SCHEDULE_FREE_LR, averageWeight(), gradientWeight(Rule.ADAMW_SCHEDULE_FREE_LR),
          Rule.BETA2, Rule.EPS, 0, false, 0, step, false), s.param, s.grad, s.expAvg, s.expAvgSq,
          MemorySegment.NULL, 0, s.size);
    }
  }
}
