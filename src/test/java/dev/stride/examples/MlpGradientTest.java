package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The hand-written backward pass agrees with central differences of the loss. */
class MlpGradientTest {
  private static final int ROWS = 16;
  private static final float H = 1e-2f;

  @Test
  void everyWeightAndBiasGradientMatchesFiniteDifferences() {
    try (Arena arena = Arena.ofConfined()) {
      Spirals data = Spirals.generate(arena, ROWS / 2, 1.5, 0.04, 1);
      Mlp mlp = new Mlp(arena, ROWS, new Random(3), 2, 5, 4, 2);
      SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(arena, 2, ROWS);
      loss.lossAndGrad(mlp.forward(data.points(), ROWS), data.labels(), ROWS);
      mlp.backward(loss.grad(), ROWS);
      DoubleSupplier lossNow =
          () -> loss.lossAndGrad(mlp.forward(data.points(), ROWS), data.labels(), ROWS);
      for (Dense layer : mlp.denseLayers()) {
        check(layer.weight(), layer.weightGrad(), lossNow);
        check(layer.bias(), layer.biasGrad(), lossNow);
      }
    }
  }

  private static void check(MemorySegment value, MemorySegment grad, DoubleSupplier loss) {
    for (long i = 0; i < value.byteSize() / Float.BYTES; i++) {
      float v = value.getAtIndex(JAVA_FLOAT, i);
      value.setAtIndex(JAVA_FLOAT, i, v + H);
      double up = loss.getAsDouble();
      value.setAtIndex(JAVA_FLOAT, i, v - H);
      double down = loss.getAsDouble();
      value.setAtIndex(JAVA_FLOAT, i, v);
      assertEquals((up - down) / (2 * H), grad.getAtIndex(JAVA_FLOAT, i), 1e-4, "entry " + i);
    }
  }
}
