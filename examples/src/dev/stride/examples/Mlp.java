package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A multilayer perceptron: {@link Dense} layers with {@link Relu} between them, giving one logit
 * per class. Everything it computes with lives in the arena it was made in.
 */
final class Mlp {
  private final List<Layer> layers = new ArrayList<>();
  private final List<Dense> dense = new ArrayList<>();
  private final int classes;

  /**
   * @param widths the input width, each hidden layer's, then the number of classes: {@code 2, 64,
   *     64, 2} has two hidden layers
   * @param maxRows the largest batch it will see
   */
  Mlp(Arena arena, int maxRows, Random init, int... widths) {
    for (int k = 0; k + 1 < widths.length; k++) {
      Dense layer = new Dense(arena, widths[k], widths[k + 1], maxRows, init);
      dense.add(layer);
      layers.add(layer);
      if (k + 2 < widths.length) {
        layers.add(new Relu(arena, widths[k + 1], maxRows));
      }
    }
    classes = widths[widths.length - 1];
  }

  /** The logits of the first {@code rows} rows of {@code input}. */
  MemorySegment forward(MemorySegment input, int rows) {
    MemorySegment x = input;
    for (Layer layer : layers) {
      x = layer.forward(x, rows);
    }
    return x;
  }

  /** Adds ∂loss/∂parameters to every gradient, given ∂loss/∂logits of the last forward pass. */
  void backward(MemorySegment logitsGrad, int rows) {
    MemorySegment dy = logitsGrad;
    for (Layer layer : layers.reversed()) {
      dy = layer.backward(dy, rows);
    }
  }

  /** How many of the first {@code rows} rows the largest logit classifies as labelled. */
  int countCorrect(MemorySegment input, MemorySegment labels, int rows) {
    MemorySegment logits = forward(input, rows);
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits.getAtIndex(JAVA_FLOAT, (long) r * classes + c)
            > logits.getAtIndex(JAVA_FLOAT, (long) r * classes + best)) {
          best = c;
        }
      }
      if (best == labels.getAtIndex(JAVA_INT, r)) {
        correct++;
      }
    }
    return correct;
  }

  /** The fully connected layers, whose weights and biases an optimizer trains. */
  List<Dense> denseLayers() {
    return dense;
  }
}
