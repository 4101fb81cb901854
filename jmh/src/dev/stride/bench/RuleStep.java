package dev.stride.bench;

import dev.stride.kernel.AdadeltaKernel;
import dev.stride.kernel.AdagradKernel;
import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.AdamWScheduleFreeKernel;
import dev.stride.kernel.AdamaxKernel;
import dev.stride.kernel.AsgdKernel;
import dev.stride.kernel.KernelSet;
import dev.stride.kernel.LionKernel;
import dev.stride.kernel.NAdamKernel;
import dev.stride.kernel.RAdamKernel;
import dev.stride.kernel.RmspropKernel;
import dev.stride.kernel.RpropKernel;
import dev.stride.kernel.SgdKernel;
import dev.stride.kernel.SgdScheduleFreeKernel;
import dev.stride.optim.Kernels;
import dev.stride.optim.Optimizer;
import java.lang.foreign.MemorySegment;

/**
 * One step of a rule, through the kernels or the trainer's {@code float[]} loop: Lion's moment and
 * Schedule-Free's z in {@code expAvg}, Schedule-Free AdamW's v in {@code expAvgSq}, Adafactor's row
 * and column statistics and column sums at the start of {@code expAvg}, {@code expAvgSq} and {@code
 * accDelta}. The coefficients are computed on every call, as the optimizer computes them on every
 * step. Rules whose step reduces between passes (LAMB, LARS, Prodigy, Adafactor) step through their
 * optimizer on one thread, made on the first call over the given buffers: its passes and reductions
 * are the kernel.
 */
final class RuleStep implements AutoCloseable {
  private final Rule rule;
  private Optimizer<?> optimizer;

  /** The float[] Prodigy loop's s and estimate, made on its first call. */
  private float[] prodigyS;

  private double prodigyD = 1e-6;
  private final SgdKernel.Coefficients sgd = new SgdKernel.Coefficients();
  private final AdamKernel.Coefficients adam = new AdamKernel.Coefficients();
  private final AdagradKernel.Coefficients adagrad = new AdagradKernel.Coefficients();
  private final RmspropKernel.Coefficients rmsprop = new RmspropKernel.Coefficients();
  private final AdadeltaKernel.Coefficients adadelta = new AdadeltaKernel.Coefficients();
  private final AdamaxKernel.Coefficients adamax = new AdamaxKernel.Coefficients();
  private final NAdamKernel.Coefficients nadam = new NAdamKernel.Coefficients();
  private final RAdamKernel.Coefficients radam = new RAdamKernel.Coefficients();
  private final AsgdKernel.Coefficients asgd = new AsgdKernel.Coefficients();
  private final RpropKernel.Coefficients rprop = new RpropKernel.Coefficients();
  private final LionKernel.Coefficients lion = new LionKernel.Coefficients();
  private final SgdScheduleFreeKernel.Coefficients sgdScheduleFree =
      new SgdScheduleFreeKernel.Coefficients();
  private final AdamWScheduleFreeKernel.Coefficients adamWScheduleFree =
      new AdamWScheduleFreeKernel.Coefficients();
  private long step;

  /** NAdam's Π_t, ASGD's η_t and μ_t: what the optimizer keeps per parameter. */
  private double muProduct = 1;

  private double eta;
  private double mu;

  RuleStep(Rule rule) {
    this.rule = rule;
  }

  void floatArray(ArrayBuffers a) {
    if (rule == Rule.PRODIGY && prodigyS == null) {
      prodigyS = new float[a.param.length];
    }
    nextStep();
    switch (rule) {
      case SGD -> TrainerLoops.sgd(a.param, a.grad, Rule.SGD_LR);
      case SGD_MOMENTUM ->
          TrainerLoops.sgdMomentum(a.param, a.grad, a.expAvg, Rule.SGD_LR, Rule.MOMENTUM, 0);
      case ADAM ->
          TrainerLoops.adam(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.ADAM_LR,
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS,
              0,
              false);
      case ADAMW ->
          TrainerLoops.adam(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.ADAM_LR,
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS,
              Rule.ADAMW_WEIGHT_DECAY,
              true);
      case ADAGRAD ->
          TrainerLoops.adagrad(
              a.param, a.grad, a.expAvgSq, step, Rule.ADAGRAD_LR, 0, Rule.ADAGRAD_EPS);
      case RMSPROP ->
          TrainerLoops.rmsprop(
              a.param, a.grad, a.expAvgSq, Rule.RMSPROP_LR, Rule.RMSPROP_ALPHA, Rule.EPS);
      case ADADELTA ->
          TrainerLoops.adadelta(
              a.param,
              a.grad,
              a.expAvgSq,
              a.accDelta,
              Rule.ADADELTA_LR,
              Rule.ADADELTA_RHO,
              Rule.ADADELTA_EPS);
      case ADAMAX ->
          TrainerLoops.adamax(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.ADAMAX_LR,
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS);
      case LAMB ->
          TrainerLoops.lamb(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              Rule.ADAM_LR,
              Rule.BETA1,
              Rule.BETA2,
              1e-6f,
              Rule.ADAMW_WEIGHT_DECAY,
              10);
      case LARS ->
          TrainerLoops.lars(
              a.param, a.grad, a.expAvg, 0.1f, Rule.MOMENTUM, 0.001f, Rule.ADAMW_WEIGHT_DECAY);
      case PRODIGY ->
          prodigyD =
              TrainerLoops.prodigy(
                  a.param,
                  a.grad,
                  a.accDelta,
                  a.expAvg,
                  a.expAvgSq,
                  prodigyS,
                  prodigyD,
                  Rule.BETA1,
                  Rule.BETA2,
                  Rule.EPS,
                  Rule.ADAMW_WEIGHT_DECAY);
      case NADAM ->
          TrainerLoops.nadam(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.NADAM_LR,
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS,
              Rule.MOMENTUM_DECAY,
              muProduct);
      case RADAM ->
          TrainerLoops.radam(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.ADAM_LR,
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS);
      case ASGD ->
          TrainerLoops.asgd(a.param, a.grad, a.expAvg, Rule.LAMBD, (float) eta, (float) mu);
      case ADAFACTOR ->
          TrainerLoops.adafactor(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              a.accDelta,
              (int) rule.shape(a.param.length)[1],
              step,
              Rule.ADAFACTOR_LR,
              Rule.ADAFACTOR_BETA2_DECAY,
              Rule.ADAFACTOR_EPS1,
              Rule.ADAFACTOR_EPS2,
              Rule.ADAMW_WEIGHT_DECAY);
      case RPROP ->
          TrainerLoops.rprop(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              Rule.ETA_MINUS,
              Rule.ETA_PLUS,
              Rule.STEP_SIZE_MIN,
              Rule.STEP_SIZE_MAX);
      case LION ->
          TrainerLoops.lion(
              a.param,
              a.grad,
              a.expAvg,
              Rule.LION_LR,
              Rule.BETA1,
              Rule.LION_BETA2,
              Rule.LION_WEIGHT_DECAY);
      case SGD_SCHEDULE_FREE ->
          TrainerLoops.sgdScheduleFree(
              a.param,
              a.grad,
              a.expAvg,
              Rule.SGD_SCHEDULE_FREE_LR,
              (float) averageWeight(),
              Rule.MOMENTUM);
      case ADAMW_SCHEDULE_FREE ->
          TrainerLoops.adamWScheduleFree(
              a.param,
              a.grad,
              a.expAvg,
              a.expAvgSq,
              step,
              Rule.ADAMW_SCHEDULE_FREE_LR,
              (float) averageWeight(),
              Rule.BETA1,
              Rule.BETA2,
              Rule.EPS);
    }
  }

  /** Counts the step and updates the per-parameter numbers, as the optimizers' prepare does. */
  private void nextStep() {
    step++;
    switch (rule) {
      case NADAM ->
          muProduct =
              NAdamKernel.Coefficients.muProduct(muProduct, Rule.BETA1, Rule.MOMENTUM_DECAY, step);
      case ASGD -> {
        eta =
            step == 1
                ? Rule.ASGD_LR
                : AsgdKernel.Coefficients.nextEta(Rule.ASGD_LR, Rule.LAMBD, Rule.ALPHA, step - 1);
        mu = step == 1 ? 1 : AsgdKernel.Coefficients.nextMu(Rule.ASGD_T0, step - 1);
      }
      default -> {}
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

  void kernel(KernelSet kernels, SegmentBuffers s) {
    nextStep();
    switch (rule) {
      case LAMB, LARS, PRODIGY, ADAFACTOR -> {
        if (optimizer == null) {
          optimizer =
              rule.optimizer(kernels == KernelSet.scalar() ? Kernels.SCALAR : Kernels.VECTOR);
          optimizer.setThreads(1);
          optimizer.group(0).add(s.param, s.grad, rule.shape(s.size));
        }
        optimizer.step();
      }
      case SGD ->
          kernels
              .get(SgdKernel.class)
              .update(
                  sgd.set(Rule.SGD_LR, 0, 0, 0, false, false, false),
                  s.param,
                  s.grad,
                  MemorySegment.NULL,
                  0,
                  s.size);
      case SGD_MOMENTUM ->
          kernels
              .get(SgdKernel.class)
              .update(
                  sgd.set(Rule.SGD_LR, Rule.MOMENTUM, 0, 0, false, false, false),
                  s.param,
                  s.grad,
                  s.expAvg,
                  0,
                  s.size);
      case ADAM ->
          kernels
              .get(AdamKernel.class)
              .update(
                  adam.set(
                      Rule.ADAM_LR, Rule.BETA1, Rule.BETA2, Rule.EPS, 0, false, false, false, step),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  MemorySegment.NULL,
                  0,
                  s.size);
      case ADAMW ->
          kernels
              .get(AdamKernel.class)
              .update(
                  adam.set(
                      Rule.ADAM_LR,
                      Rule.BETA1,
                      Rule.BETA2,
                      Rule.EPS,
                      Rule.ADAMW_WEIGHT_DECAY,
                      true,
                      false,
                      false,
                      step),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  MemorySegment.NULL,
                  0,
                  s.size);
      case ADAGRAD ->
          kernels
              .get(AdagradKernel.class)
              .update(
                  adagrad.set(Rule.ADAGRAD_LR, 0, Rule.ADAGRAD_EPS, 0, false, step),
                  s.param,
                  s.grad,
                  s.expAvgSq,
                  0,
                  s.size);
      case RMSPROP ->
          kernels
              .get(RmspropKernel.class)
              .update(
                  rmsprop.set(Rule.RMSPROP_LR, Rule.RMSPROP_ALPHA, Rule.EPS, 0, 0, false, false),
                  s.param,
                  s.grad,
                  s.expAvgSq,
                  MemorySegment.NULL,
                  MemorySegment.NULL,
                  0,
                  s.size);
      case ADADELTA ->
          kernels
              .get(AdadeltaKernel.class)
              .update(
                  adadelta.set(Rule.ADADELTA_LR, Rule.ADADELTA_RHO, Rule.ADADELTA_EPS, 0, false),
                  s.param,
                  s.grad,
                  s.expAvgSq,
                  s.accDelta,
                  0,
                  s.size);
      case ADAMAX ->
          kernels
              .get(AdamaxKernel.class)
              .update(
                  adamax.set(Rule.ADAMAX_LR, Rule.BETA1, Rule.BETA2, Rule.EPS, 0, false, step),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  0,
                  s.size);
      case NADAM ->
          kernels
              .get(NAdamKernel.class)
              .update(
                  nadam.set(
                      Rule.NADAM_LR,
                      Rule.BETA1,
                      Rule.BETA2,
                      Rule.EPS,
                      0,
                      Rule.MOMENTUM_DECAY,
                      false,
                      false,
                      step,
                      muProduct),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  0,
                  s.size);
      case RADAM ->
          kernels
              .get(RAdamKernel.class)
              .update(
                  radam.set(Rule.ADAM_LR, Rule.BETA1, Rule.BETA2, Rule.EPS, 0, false, false, step),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  0,
                  s.size);
      case ASGD ->
          kernels
              .get(AsgdKernel.class)
              .update(
                  asgd.set(Rule.LAMBD, eta, mu, 0, false), s.param, s.grad, s.expAvg, 0, s.size);
      case RPROP ->
          kernels
              .get(RpropKernel.class)
              .update(
                  rprop.set(
                      Rule.ETA_MINUS, Rule.ETA_PLUS, Rule.STEP_SIZE_MIN, Rule.STEP_SIZE_MAX, false),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  0,
                  s.size);
      case LION ->
          kernels
              .get(LionKernel.class)
              .update(
                  lion.set(Rule.LION_LR, Rule.BETA1, Rule.LION_BETA2, Rule.LION_WEIGHT_DECAY),
                  s.param,
                  s.grad,
                  s.expAvg,
                  0,
                  s.size);
      case SGD_SCHEDULE_FREE ->
          kernels
              .get(SgdScheduleFreeKernel.class)
              .update(
                  sgdScheduleFree.set(
                      Rule.SGD_SCHEDULE_FREE_LR,
                      averageWeight(),
                      gradientWeight(Rule.SGD_SCHEDULE_FREE_LR),
                      0,
                      false),
                  s.param,
                  s.grad,
                  s.expAvg,
                  0,
                  s.size);
      case ADAMW_SCHEDULE_FREE ->
          kernels
              .get(AdamWScheduleFreeKernel.class)
              .update(
                  adamWScheduleFree.set(
                      Rule.ADAMW_SCHEDULE_FREE_LR,
                      averageWeight(),
                      gradientWeight(Rule.ADAMW_SCHEDULE_FREE_LR),
                      Rule.BETA2,
                      Rule.EPS,
                      0,
                      false,
                      0,
                      step,
                      false),
                  s.param,
                  s.grad,
                  s.expAvg,
                  s.expAvgSq,
                  MemorySegment.NULL,
                  0,
                  s.size);
    }
  }

  @Override
  public void close() {
    if (optimizer != null) {
      optimizer.close();
    }
  }
}
