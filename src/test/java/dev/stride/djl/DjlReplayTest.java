package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.training.Trainer;
import dev.stride.optim.Clipping;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.PyTorchOptimizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A DJL training run and a plain Stride run give the same weights to the bit after every step: the
 * gradients DJL computes are captured before each update and handed to a plain Stride optimizer of
 * the same rule and groups, over copies of the initial weights in segments of its own. An MLP, its
 * biases in a second group with half the rate and its weights with an L1 term.
 */
class DjlReplayTest {
  private static final int STEPS = 6;

  /** A rule and its keyword arguments; clipped by norm over all parameters when said. */
  record Rule(String name, Map<String, ?> kwargs, boolean clipped) {
    @Override
    public String toString() {
      return name + " " + kwargs + (clipped ? " clipped by norm" : "");
    }
  }

  static Stream<Rule> rules() {
    return Stream.of(
        new Rule("AdamW", Map.of("lr", 0.01, "weight_decay", 0.1), true),
        new Rule("SGD", Map.of("lr", 0.05, "momentum", 0.9, "nesterov", true), false),
        new Rule("RMSprop", Map.of("lr", 0.01, "centered", true, "momentum", 0.5), false),
        new Rule("Lion", Map.of("lr", 1e-3, "weight_decay", 0.5), true),
        new Rule("NAdam", Map.of("lr", 0.01), false));
  }

  @ParameterizedTest(name = "{0}: DJL's weights are the plain run's to the bit")
  @MethodSource("rules")
  void djlTrainsToThePlainRunsBits(Rule rule) {
    try (Model model = DjlModels.mlp(16, 11);
        StrideOptimizer stride = StrideOptimizer.of(rule.name(), rule.kwargs());
        Optimizer<?> plain = PyTorchOptimizers.create(rule.name(), rule.kwargs());
        Arena arena = Arena.ofShared()) {
      for (Optimizer<?> o : List.of(stride.optimizer(), plain)) {
        addBiasGroup(o);
        o.group(0).setL1(1e-3);
        if (rule.clipped()) {
          o.setClipping(Clipping.byNorm(0.5));
        }
      }
      stride.route(p -> p.name().equals("bias") ? 1 : 0);
      Map<String, float[]> grads = new HashMap<>();
      ai.djl.training.optimizer.Optimizer capturing =
          new ai.djl.training.optimizer.Optimizer(new Builder()) {
            @Override
            public void update(String parameterId, NDArray weight, NDArray grad) {
              grads.put(parameterId, grad.toFloatArray());
              stride.update(parameterId, weight, grad);
            }
          };
      try (Trainer trainer = DjlModels.trainer(model, capturing)) {
        Map<String, float[]> initial = DjlModels.weights(model);
        Map<String, MemorySegment[]> segments = new HashMap<>();
        for (int step = 0; step < STEPS; step++) {
          DjlModels.forwardBackward(trainer, DjlModels.batch(trainer.getManager(), 11, step, 32));
          trainer.step();
          if (step == 0) { // registered now, in the order DJL called them: the plain run's order
            for (DjlParameter p : stride.parameters()) {
              MemorySegment value =
                  arena.allocate(ValueLayout.JAVA_FLOAT, initial.get(p.id()).length);
              MemorySegment.copy(
                  initial.get(p.id()),
                  0,
                  value,
                  ValueLayout.JAVA_FLOAT,
                  0,
                  initial.get(p.id()).length);
              MemorySegment grad = arena.allocate(value.byteSize(), 64);
              plain.group(stride.groupOf(p.id())).add(value, grad, p.shape().getShape());
              segments.put(p.id(), new MemorySegment[] {value, grad});
            }
          }
          for (Map.Entry<String, MemorySegment[]> e : segments.entrySet()) {
            float[] g = grads.get(e.getKey());
            MemorySegment.copy(g, 0, e.getValue()[1], ValueLayout.JAVA_FLOAT, 0, g.length);
          }
          plain.step();
          Map<String, float[]> trained = DjlModels.weights(model);
          for (Map.Entry<String, MemorySegment[]> e : segments.entrySet()) {
            assertArrayEquals(
                e.getValue()[0].toArray(ValueLayout.JAVA_FLOAT),
                trained.get(e.getKey()),
                "parameter " + e.getKey() + " after step " + step);
          }
        }
        assertEquals(STEPS, stride.optimizer().stepCount());
        assertEquals(3, stride.optimizer().group(1).size(), "the biases of the three layers");
      }
    }
  }

  private static <H extends Hyperparameters<H>> void addBiasGroup(Optimizer<H> o) {
    o.addGroup(o.group(0).hyperparameters().withLr(o.group(0).lr() / 2));
  }

  /** DJL's builder, for the capturing optimizer. */
  private static final class Builder
      extends ai.djl.training.optimizer.Optimizer.OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
