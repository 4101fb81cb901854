package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import dev.stride.optim.LossScaler;
import dev.stride.optim.Optimizer;
import dev.stride.optim.WeightAverage;
import dev.stride.schedule.ReduceLrOnPlateau;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What is set on {@link StrideOptimizer#optimizer()} works in DJL's flow: the non-finite guard, a
 * loss scaler, a plateau schedule, a weight average (clipping, groups and L1: DjlReplayTest; a
 * warmup-cosine schedule and a checkpoint: DjlSpiralClassifierTest).
 */
class ThroughTheOptimizerTest {

  @Test
  void aNonFiniteGradientSkipsTheTrainerStepUnderTheGuard() {
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        StrideOptimizer stride = StrideOptimizer.of("SGD", Map.of("lr", 0.5))) {
      stride.optimizer().setSkipNonFinite(true);
      NDArray a = manager.create(new float[] {1, 2});
      NDArray b = manager.create(new float[] {3});
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      stride.update("a", a, manager.create(new float[] {2, 2}));
      stride.update("b", b, manager.create(new float[] {Float.NaN}));
      assertArrayEquals(new float[] {1, 2}, a.toFloatArray(), "skipped: nothing changed");
      assertEquals(0, stride.optimizer().stepCount());
      assertEquals(1, stride.trainerSteps());
      stride.update("a", a, manager.create(new float[] {2, 2}));
      stride.update("b", b, manager.create(new float[] {2}));
      assertArrayEquals(new float[] {0, 1}, a.toFloatArray());
      assertArrayEquals(new float[] {2}, b.toFloatArray());
    }
  }

  /** A loss scaled by 2^16 gives gradients 2^16 times as large; the scaler's step unscales them. */
  @Test
  void aLossScalersStepUnscalesTheGradients() {
    float[][] plain = adamW(false);
    float[][] scaled = adamW(true);
    assertArrayEquals(plain[0], scaled[0]);
    assertArrayEquals(plain[1], scaled[1]);
  }

  private static float[][] adamW(boolean scaled) {
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        StrideOptimizer stride = StrideOptimizer.of("AdamW", Map.of("lr", 0.01))) {
      LossScaler scaler = new LossScaler(stride.optimizer());
      if (scaled) {
        stride.stepWith(scaler::step);
      }
      NDArray a = manager.create(new float[] {1, -2, 3});
      NDArray b = manager.create(new float[] {0.5f});
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      for (int step = 0; step < 5; step++) {
        float s = scaled ? scaler.scale() : 1;
        stride.update("a", a, manager.create(new float[] {0.1f * s, -0.3f * s, step * s}));
        stride.update("b", b, manager.create(new float[] {-0.2f * s}));
      }
      return new float[][] {a.toFloatArray(), b.toFloatArray()};
    }
  }

  @Test
  void aPlateauScheduleCutsTheRateOfTheNextTrainerStep() {
    try (Model model = DjlModels.mlp(8, 21);
        StrideOptimizer stride = StrideOptimizer.of("SGD", Map.of("lr", 0.1));
        Trainer trainer = DjlModels.trainer(model, stride)) {
      ReduceLrOnPlateau plateau = Schedules.reduceOnPlateau(0.1).factor(0.5).patience(1).build();
      stride.stepWith(bind(stride.optimizer(), plateau)::step);
      for (int epoch = 0; epoch < 4; epoch++) {
        DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 21, epoch, 16));
        trainer.step();
        plateau.observe(1.0); // a validation loss that does not fall, as onEpoch would see
      }
      assertEquals(0.05, stride.optimizer().group(0).lr(), 1e-12, "halved after the plateau");
      assertEquals(4, stride.optimizer().stepCount());
    }
  }

  private static <H extends dev.stride.optim.Hyperparameters<H>> ScheduleBinding<H> bind(
      Optimizer<H> optimizer, ReduceLrOnPlateau plateau) {
    return ScheduleBinding.of(optimizer).lr(plateau);
  }

  @Test
  void aWeightAverageFoldsAfterEachTrainerStep() {
    try (Model model = DjlModels.mlp(8, 22);
        StrideOptimizer stride = StrideOptimizer.of("SGD", Map.of("lr", 0.1));
        Trainer trainer = DjlModels.trainer(model, stride)) {
      stride.register(model.getBlock());
      try (WeightAverage ema = WeightAverage.ema(stride.optimizer(), 0.5)) {
        stride.stepWith(
            () -> {
              boolean taken = stride.optimizer().step();
              ema.update();
              return taken;
            });
        float[][] weights = new float[2][];
        for (int step = 0; step < 2; step++) {
          DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 22, step, 16));
          trainer.step();
          weights[step] = DjlModels.weights(model).values().iterator().next();
        }
        float[] average = ema.averages().get(0).toArray(ValueLayout.JAVA_FLOAT);
        boolean moved = false;
        for (int i = 0; i < average.length; i++) {
          // the first fold copies, as AveragedModel's; the second is half way with decay 0.5
          assertEquals(
              0.5f * weights[0][i] + 0.5f * weights[1][i], average[i], 1e-6f, "element " + i);
          moved |= weights[0][i] != weights[1][i];
        }
        assertTrue(moved);
        assertFalse(ema.averages().isEmpty());
      }
    }
  }
}
