package dev.stride.bench;

/**
 * One step of a rule as a trainer would write it over {@code float[]}s ({@link TrainerLoops}), with
 * the per-step numbers a trainer keeps (the step count, NAdam's μ product, ASGD's η and μ,
 * Prodigy's estimate), computed on every call as an optimizer computes them on every step: Lion's
 * moment and Schedule-Free's z in {@code expAvg}, Schedule-Free AdamW's v in {@code expAvgSq}.
 */
final class TrainerStep {
  private final Rule rule;

  /** The float[] Prodigy loop's s and estimate, made on its first call. */
  private float[] prodigyS;

  private double prodigyD = 1e-6;
  private long step;

  /** NAdam's Π_t, ASGD's η_t and μ_t: what the optimizer keeps per parameter. */
  private double muProduct = 1;

  private double eta;
  private double mu;

  TrainerStep(Rule rule) {
    this.rule = rule;
  }

  void step(ArrayBuffers a) {
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
      // PyTorch's formulas: μ_t = β1·(1 − ½·0.96^(t·ψ)), a float32 product
      case NADAM ->
          muProduct =
              (float) muProduct
                  * (float) (Rule.BETA1 * (1 - 0.5 * Math.pow(0.96, step * Rule.MOMENTUM_DECAY)));
      // η_t = lr / (1 + λ·lr·(t − 1))^α, μ_t = 1 / max(1, t − 1 − t0), in float32
      case ASGD -> {
        eta =
            (float)
                (Rule.ASGD_LR / Math.pow(1 + Rule.LAMBD * Rule.ASGD_LR * (step - 1), Rule.ALPHA));
        mu = (float) (1 / Math.max(1, step - 1 - Rule.ASGD_T0));
      }
      default -> {}
    }
  }

  /** Schedule-Free's c at a constant rate with the default weight_lr_power 2: 1/t. */
  private double averageWeight() {
    return 1.0 / step;
  }
}
