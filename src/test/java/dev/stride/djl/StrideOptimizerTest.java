package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import dev.stride.optim.Clipping;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How DJL's trainer drives a {@link StrideOptimizer}: one Stride step per trainer step, from the
 * first, in whatever order the parameters come; the weights' gradients zero after it; the views are
 * the tensors' memory both ways; an update allocates little on Stride's side; DJL's builder options
 * honoured or refused.
 */
class StrideOptimizerTest {
  private static final int STEPS = 4;

  @Test
  void eachTrainerStepIsOneStrideStepFromTheFirst() {
    try (Model model = DjlModels.mlp(8, 1);
        StrideOptimizer stride = StrideOptimizer.of("AdamW", Map.of("lr", 0.01));
        Trainer trainer = DjlModels.trainer(model, stride)) {
      for (int step = 0; step < STEPS; step++) {
        Map<String, float[]> before = DjlModels.weights(model);
        DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 1, step, 16));
        trainer.step();
        assertEquals(step + 1, stride.optimizer().stepCount(), "Stride steps after trainer steps");
        assertEquals(step + 1, stride.trainerSteps());
        Map<String, float[]> after = DjlModels.weights(model);
        for (String id : before.keySet()) {
          assertTrue(
              !java.util.Arrays.equals(before.get(id), after.get(id)),
              "parameter " + id + " moved in trainer step " + step);
        }
      }
      assertEquals(6, stride.parameters().size());
    }
  }

  @Test
  void theWeightsOwnGradientsAreZeroAfterTheTrainerStep() {
    try (Model model = DjlModels.mlp(8, 2);
        StrideOptimizer stride = StrideOptimizer.of("SGD", Map.of("lr", 0.1));
        Trainer trainer = DjlModels.trainer(model, stride)) {
      for (int step = 0; step < 2; step++) {
        DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 2, step, 16));
        trainer.step();
        for (var p : model.getBlock().getParameters()) {
          try (NDArray grad = p.getValue().getArray().getGradient()) {
            for (float g : grad.toFloatArray()) {
              assertEquals(0f, g, "gradient of " + p.getKey() + " after trainer step " + step);
            }
          }
        }
      }
    }
  }

  /**
   * DJL's trainer calls the parameters in the order of a hash map; here they come in another order
   * every trainer step after the first (which registers them, so its order is the optimizer's),
   * from update() directly, and the weights are those of one fixed order, clipped by their norm
   * over all.
   */
  @Test
  void theOrderOfTheUpdatesChangesNothing() {
    float[][] fixed = trainDirectly(new Random(7), false);
    float[][] shuffled = trainDirectly(new Random(7), true);
    for (int i = 0; i < fixed.length; i++) {
      assertArrayEquals(fixed[i], shuffled[i], "weight " + i);
    }
  }

  /** Five weights updated by update() calls, in a fixed or a shuffled order per trainer step. */
  private static float[][] trainDirectly(Random random, boolean shuffle) {
    int[] sizes = {3, 70_000, 1, 16_384, 5};
    ai.djl.engine.Engine.getEngine(StrideOptimizer.ENGINE).setRandomSeed(7);
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        StrideOptimizer stride =
            StrideOptimizer.of("Adam", Map.of("lr", 0.01, "weight_decay", 0.1))) {
      stride.optimizer().setClipping(Clipping.byNorm(1.0)); // a sum over every parameter
      List<NDArray> weights = new ArrayList<>();
      for (int size : sizes) {
        NDArray w =
            manager.randomNormal(0, 1, new Shape(size), ai.djl.ndarray.types.DataType.FLOAT32);
        w.setRequiresGradient(true);
        weights.add(w);
      }
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
      for (int step = 0; step < STEPS; step++) {
        if (shuffle && step > 0) {
          Collections.shuffle(order, random);
        }
        for (int i : order) {
          float[] g = new float[sizes[i]];
          for (int k = 0; k < g.length; k++) {
            g[k] = (float) Math.sin(0.37 * k + step + i);
          }
          // open until the manager closes: made from a Java buffer, it lives in that buffer
          stride.update("w" + i, weights.get(i), manager.create(g));
        }
        assertEquals(step + 1, stride.optimizer().stepCount(), "Stride steps");
      }
      float[][] out = new float[sizes.length][];
      for (int i = 0; i < sizes.length; i++) {
        out[i] = weights.get(i).toFloatArray();
      }
      return out;
    }
  }

  @Test
  void theViewsAreTheTensorsMemoryBothWays() {
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        StrideOptimizer stride = StrideOptimizer.of("SGD", Map.of("lr", 1.0))) {
      NDArray w = manager.create(new float[] {1, 2, 3, 4});
      w.setRequiresGradient(true);
      stride.update("w", w, manager.create(new float[] {0.5f, 0.5f, 0.5f, 0.5f}));
      // Stride wrote into the tensor: w − 1·g
      assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, w.toFloatArray());
      MemorySegment view = stride.optimizer().stateDict().parameters().get(0).value();
      assertEquals(
          MemorySegment.ofBuffer(w.toByteBuffer(true)).address(),
          view.address(),
          "Stride's view is the tensor's memory");
      w.muli(2); // in place, as DJL's ...i operations are
      assertEquals(7f, view.getAtIndex(ValueLayout.JAVA_FLOAT, 3), "Stride sees DJL's write");
    }
  }

  @Test
  void djlsClipGradIsClippingByValue() {
    try (StrideOptimizer stride =
        StrideOptimizer.builder("SGD", Map.of("lr", 0.1)).optClipGrad(0.25f).build()) {
      Clipping.ByValue clipping =
          assertInstanceOf(Clipping.ByValue.class, stride.optimizer().clipping());
      assertEquals(0.25, clipping.clipValue());
    }
  }

  @Test
  void djlsOptionsStrideDoesNotHonourAreRefusedWhenBuilt() {
    List<String> messages = new ArrayList<>();
    messages.add(
        assertThrows(
                IllegalArgumentException.class,
                () -> StrideOptimizer.builder("Adam", Map.of()).setRescaleGrad(0.5f).build())
            .getMessage());
    messages.add(
        assertThrows(
                IllegalArgumentException.class,
                () -> StrideOptimizer.builder("Adam", Map.of()).optWeightDecays(0.01f).build())
            .getMessage());
    messages.add(
        assertThrows(
                IllegalArgumentException.class,
                () -> StrideOptimizer.builder("Adam", Map.of()).optBeginNumUpdate(10).build())
            .getMessage());
    assertTrue(messages.get(0).contains("setRescaleGrad(0.5) is refused"), messages.get(0));
    assertTrue(messages.get(1).contains("optWeightDecays(0.01) is refused"), messages.get(1));
    assertTrue(messages.get(2).contains("optBeginNumUpdate(10) is refused"), messages.get(2));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> StrideOptimizer.of("Ftrl", Map.of()));
    assertTrue(unknown.getMessage().contains("Ftrl"), unknown.getMessage());
  }

  @Test
  void aDjlOptimizerItIs() {
    try (StrideOptimizer stride = StrideOptimizer.of("Lion", Map.of("lr", 1e-4))) {
      Optimizer djl = stride;
      assertEquals("Lion", stride.optimizer().rule().name());
      assertTrue(djl instanceof AutoCloseable);
    }
  }
}
